/**
 * IMAP dates (RFC 3501 9): `date` ("1-Feb-1994", in SEARCH) and `date-time`
 * ("17-Jul-1996 02:44:25 -0700", INTERNALDATE and APPEND).
 *
 * @module
 */

import { MONTHS } from "./constants.ts";

/** A date that does not follow RFC 3501's syntax. */
export class DateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DateError";
  }
}

function month(name: string, text: string): number {
  const m = MONTHS.findIndex((x) => x.toLowerCase() === name.toLowerCase());
  if (m < 0) {
    throw new DateError(`Cannot parse date ${JSON.stringify(text)}: unknown month "${name}"`);
  }
  return m;
}

/**
 * A SEARCH date ("1-Feb-1994") as the UTC midnight starting that day.
 *
 * @example
 * ```ts
 * import { parseSearchDate } from "./date.ts";
 * if (parseSearchDate("1-Feb-1994").toISOString() !== "1994-02-01T00:00:00.000Z") throw new Error("unexpected");
 * ```
 */
export function parseSearchDate(text: string): Date {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) {
    throw new DateError(`Cannot parse date ${JSON.stringify(text)}: expected e.g. 1-Feb-1994`);
  }
  return new Date(Date.UTC(Number(m[3]), month(m[2], text), Number(m[1])));
}

/**
 * An APPEND date-time ("17-Jul-1996 02:44:25 -0700").
 *
 * @example
 * ```ts
 * import { parseDateTime } from "./date.ts";
 * if (parseDateTime("17-Jul-1996 02:44:25 -0700").toISOString() !== "1996-07-17T09:44:25.000Z") throw new Error("unexpected");
 * ```
 */
export function parseDateTime(text: string): Date {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(
    text,
  );
  if (!m) {
    throw new DateError(
      `Cannot parse date-time ${JSON.stringify(text)}: expected e.g. "17-Jul-1996 02:44:25 -0700"`,
    );
  }
  const offset = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(
    Number(m[3]),
    month(m[2], text),
    Number(m[1]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
  return new Date(utc - offset * 60_000);
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * INTERNALDATE as RFC 3501 writes it, in UTC ("17-Jul-1996 09:44:25 +0000"; the day is
 * space-padded to two characters).
 *
 * @example
 * ```ts
 * import { formatDateTime } from "./date.ts";
 * if (formatDateTime(new Date("1996-07-07T09:44:25Z")) !== " 7-Jul-1996 09:44:25 +0000") throw new Error("unexpected");
 * ```
 */
export function formatDateTime(date: Date): string {
  return `${String(date.getUTCDate()).padStart(2, " ")}-${
    MONTHS[date.getUTCMonth()]
  }-${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
