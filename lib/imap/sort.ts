/**
 * SORT (RFC 5256 3) and SORT=DISPLAY (RFC 5957): the server orders the messages a search
 * finds, so a client can show page one of a big mailbox without fetching every header.
 *
 * @module
 */

import { baseSubject, compareText } from "./base_subject.ts";
import { decodeWords } from "../mail/mod.ts";
import { parseAddressList } from "./envelope.ts";
import { type ImapValue, textOf } from "./values.ts";

/** A sort key of RFC 5256 3 (and RFC 5957's DISPLAYFROM, DISPLAYTO). */
export type SortKey =
  | "ARRIVAL"
  | "CC"
  | "DATE"
  | "FROM"
  | "SIZE"
  | "SUBJECT"
  | "TO"
  | "DISPLAYFROM"
  | "DISPLAYTO";

/** One criterion: a key, maybe REVERSE. */
export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

const KEYS = new Set<string>([
  "ARRIVAL",
  "CC",
  "DATE",
  "FROM",
  "SIZE",
  "SUBJECT",
  "TO",
  "DISPLAYFROM",
  "DISPLAYTO",
]);

/** A sort program that does not follow RFC 5256's grammar. */
export class SortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SortError";
  }
}

/**
 * Parse `(sort-criterion ...)`: `sort-key` optionally preceded by REVERSE (RFC 5256 4).
 *
 * @example
 * ```ts
 * import { parseSortCriteria } from "./sort.ts";
 * import { atom, list } from "./values.ts";
 * const c = parseSortCriteria(list(atom("REVERSE"), atom("date"), atom("SUBJECT")));
 * if (c.length !== 2 || !c[0].reverse || c[0].key !== "DATE") throw new Error("unexpected");
 * ```
 */
export function parseSortCriteria(value: ImapValue | undefined): SortCriterion[] {
  if (value?.type !== "list" || !value.items.length) {
    throw new SortError("Cannot parse SORT: expected a parenthesized list of sort keys");
  }
  const out: SortCriterion[] = [];
  let reverse = false;
  for (const item of value.items) {
    const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
    if (word === "REVERSE" && !reverse) {
      reverse = true;
      continue;
    }
    if (!KEYS.has(word)) {
      throw new SortError(`Cannot parse SORT: unknown sort key ${JSON.stringify(textOf(item))}`);
    }
    out.push({ key: word as SortKey, reverse });
    reverse = false;
  }
  if (reverse) throw new SortError("Cannot parse SORT: REVERSE must precede a sort key");
  return out;
}

/** What sorting looks at for one message. */
export interface SortMessage {
  /** The sequence number: the final tie-breaker (RFC 5256 3). */
  seq: number;
  /** RFC822.SIZE. */
  size: number;
  internalDate: Date;
  /** Header fields, unfolded (only Subject, Date, From, To and Cc are read). */
  header: readonly { name: string; value: string }[];
}

function field(msg: SortMessage, name: string): string | null {
  const lower = name.toLowerCase();
  return msg.header.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

/**
 * The sent date (RFC 5256 2.2): the Date header in UTC, or INTERNALDATE when the header
 * is missing or cannot be read.
 */
export function sentDate(msg: SortMessage): number {
  const value = field(msg, "Date");
  const time = value === null ? NaN : Date.parse(value.replace(/\([^)]*\)/g, " "));
  return Number.isNaN(time) ? msg.internalDate.getTime() : time;
}

/**
 * The first address of a header, or null. A group's start counts, with the group's name
 * as its mailbox (as Dovecot sorts "team: a@x, b@y;" under "team").
 */
function firstAddress(msg: SortMessage, name: string) {
  const value = field(msg, name);
  if (value === null) return null;
  return parseAddressList(value)[0] ?? null;
}

/** RFC 5256 3: the addr-mailbox of the first address, "" when there is none. */
function mailboxKey(msg: SortMessage, name: string): string {
  return firstAddress(msg, name)?.mailbox ?? "";
}

/**
 * RFC 5957 3: the display name of the first address when it has one, else its
 * addr-mailbox@addr-host; "" when there is no address.
 */
function displayKey(msg: SortMessage, name: string): string {
  const address = firstAddress(msg, name);
  if (!address) return "";
  const display = address.name ? decodeWords(address.name).trim() : "";
  if (display) return display;
  return address.host ? `${address.mailbox ?? ""}@${address.host}` : address.mailbox ?? "";
}

function compareBy(key: SortKey, a: SortMessage, b: SortMessage): number {
  switch (key) {
    case "ARRIVAL":
      return a.internalDate.getTime() - b.internalDate.getTime();
    case "DATE":
      return sentDate(a) - sentDate(b);
    case "SIZE":
      return a.size - b.size;
    case "SUBJECT":
      return compareText(
        baseSubject(field(a, "Subject") ?? ""),
        baseSubject(field(b, "Subject") ?? ""),
      );
    case "FROM":
    case "TO":
    case "CC":
      return compareText(mailboxKey(a, key), mailboxKey(b, key));
    case "DISPLAYFROM":
      return compareText(displayKey(a, "From"), displayKey(b, "From"));
    case "DISPLAYTO":
      return compareText(displayKey(a, "To"), displayKey(b, "To"));
  }
}

/**
 * Order messages by the criteria; messages equal under all of them keep sequence order
 * (RFC 5256 3: "sorted ... by their order in the mailbox"), which REVERSE does not flip.
 */
export function sortMessages(
  messages: readonly SortMessage[],
  criteria: readonly SortCriterion[],
): SortMessage[] {
  return [...messages].sort((a, b) => {
    for (const { key, reverse } of criteria) {
      const order = compareBy(key, a, b);
      if (order !== 0) return reverse ? -order : order;
    }
    return a.seq - b.seq;
  });
}
