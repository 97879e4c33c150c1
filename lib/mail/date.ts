/**
 * The Date header (RFC 5322 section 3.3): `Tue, 01 Jul 2003 10:52:37 +0200`, local
 * time with its offset from UTC.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Format a date per RFC 5322 3.3, at `offsetMinutes` east of UTC (default: this
 * machine's local offset at that date).
 *
 * @throws {RangeError} the date is invalid.
 *
 * @example
 * ```ts
 * import { formatDate } from "./date.ts";
 * const text = formatDate(new Date("2003-07-01T08:52:37Z"), 120);
 * if (text !== "Tue, 01 Jul 2003 10:52:37 +0200") throw new Error(text);
 * ```
 */
export function formatDate(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("Cannot format date: it is invalid");
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${DAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ` +
    `${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:` +
    `${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** RFC 5322 4.3: obsolete zone names. */
const ZONES: Record<string, number> = {
  UT: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};

/**
 * Parse a Date header (RFC 5322 3.3, with the obsolete forms of 4.3: two-digit years,
 * zone names, missing seconds). Returns null for what is not a date.
 *
 * @example
 * ```ts
 * import { parseDate } from "./date.ts";
 * const date = parseDate("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)");
 * if (date?.toISOString() !== "2003-07-01T08:52:37.000Z") throw new Error();
 * ```
 */
export function parseDate(text: string): Date | null {
  const match =
    /^\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]+)?/
      .exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2].toLowerCase());
  if (month < 0) return null;
  let year = Number(match[3]);
  if (match[3].length === 2) year += year < 50 ? 2000 : 1900; // RFC 5322 4.3
  else if (match[3].length === 3) year += 1900;
  const zone = match[7] ?? "+0000";
  let offset: number;
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone[0] === "-" ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
  } else {
    offset = ZONES[zone.toUpperCase()] ?? 0; // RFC 5322 4.3: unknown zones mean +0000
  }
  const utc = Date.UTC(
    year,
    month,
    Number(match[1]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6] ?? 0),
  );
  const date = new Date(utc - offset * 60_000);
  return Number.isNaN(date.getTime()) ? null : date;
}
