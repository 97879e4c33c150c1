/**
 * SEARCH keys (RFC 3501 6.4.4): parsing into a tree, and matching one message.
 *
 * Matching is pure: the caller hands in what the key needs (flags, size, dates, and the
 * header or the full text only when {@linkcode searchNeeds} says so), so a search over
 * flags never opens a message file.
 *
 * @module
 */

import { LIMITS, MONTHS } from "./constants.ts";
import { DateError, parseSearchDate } from "./date.ts";
import { decodeWords, parseAddressList } from "./envelope.ts";
import {
  parseSequenceSet,
  type SequenceSet,
  SequenceSetError,
  setContains,
} from "./sequence_set.ts";
import { type ImapValue, isAtom, numberOf, textOf } from "./values.ts";

/** A parsed search key. */
export type SearchKey =
  | { op: "all" }
  | { op: "flag"; flag: string; set: boolean }
  | { op: "new" }
  | { op: "old" }
  | { op: "header"; field: string; value: string; addresses?: boolean }
  | { op: "body"; value: string }
  | { op: "text"; value: string }
  | { op: "date"; which: "internal" | "sent"; cmp: "before" | "on" | "since"; date: Date }
  | { op: "size"; cmp: "larger" | "smaller"; size: number }
  | { op: "uid"; set: SequenceSet }
  | { op: "seq"; set: SequenceSet }
  | { op: "modseq"; modseq: number }
  | { op: "not"; key: SearchKey }
  | { op: "or"; a: SearchKey; b: SearchKey }
  | { op: "and"; keys: SearchKey[] };

/** A search program that does not follow RFC 3501 6.4.4. */
export class SearchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchError";
  }
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  RECENT: ["\\Recent", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
};
const HEADER_KEYS = ["BCC", "CC", "FROM", "SUBJECT", "TO"];
const DATE_KEYS: Record<string, ["internal" | "sent", "before" | "on" | "since"]> = {
  BEFORE: ["internal", "before"],
  ON: ["internal", "on"],
  SINCE: ["internal", "since"],
  SENTBEFORE: ["sent", "before"],
  SENTON: ["sent", "on"],
  SENTSINCE: ["sent", "since"],
};

/**
 * Parse search keys (all ANDed together, as RFC 3501 6.4.4 says).
 *
 * @example
 * ```ts
 * import { parseSearch } from "./search.ts";
 * import { atom, str } from "./values.ts";
 * const key = parseSearch([atom("UNSEEN"), atom("FROM"), str("alice")]);
 * if (key.op !== "and" || key.keys.length !== 2) throw new Error("unexpected");
 * ```
 */
export function parseSearch(values: readonly ImapValue[], depth = 0): SearchKey {
  if (depth >= LIMITS.maxNesting) {
    throw new SearchError(
      `Cannot parse SEARCH: keys nested deeper than ${LIMITS.maxNesting} levels`,
    );
  }
  let i = 0;
  const next = (what: string): ImapValue => {
    const v = values[i++];
    if (!v) throw new SearchError(`Cannot parse SEARCH: ${what} missing at the end`);
    return v;
  };
  const string = (key: string): string => {
    const text = textOf(next(`the string after ${key}`));
    if (text === null) throw new SearchError(`Cannot parse SEARCH: ${key} needs a string`);
    return text;
  };
  const one = (): SearchKey => {
    const v = next("a search key");
    if (v.type === "list") {
      if (!v.items.length) throw new SearchError("Cannot parse SEARCH: empty parentheses");
      return parseSearch(v.items, depth + 1);
    }
    const word = textOf(v);
    if (v.type !== "atom" || word === null) {
      throw new SearchError(`Cannot parse SEARCH: expected a search key, found a string`);
    }
    const upper = word.toUpperCase();
    if (upper in FLAG_KEYS) {
      const [flag, set] = FLAG_KEYS[upper];
      return { op: "flag", flag, set };
    }
    if (HEADER_KEYS.includes(upper)) {
      const addresses = upper !== "SUBJECT";
      return { op: "header", field: upper, value: string(upper), addresses };
    }
    if (upper in DATE_KEYS) {
      const [which, cmp] = DATE_KEYS[upper];
      try {
        return { op: "date", which, cmp, date: parseSearchDate(string(upper)) };
      } catch (error) {
        if (error instanceof DateError) throw new SearchError(error.message);
        throw error;
      }
    }
    switch (upper) {
      case "ALL":
        return { op: "all" };
      case "NEW":
        return { op: "new" };
      case "OLD":
        return { op: "old" };
      case "KEYWORD":
        return { op: "flag", flag: string(upper), set: true };
      case "UNKEYWORD":
        return { op: "flag", flag: string(upper), set: false };
      case "HEADER":
        return { op: "header", field: string(upper).toUpperCase(), value: string(upper) };
      case "BODY":
        return { op: "body", value: string(upper) };
      case "TEXT":
        return { op: "text", value: string(upper) };
      case "LARGER":
      case "SMALLER": {
        const size = numberOf(next(`the number after ${upper}`));
        if (size === null) throw new SearchError(`Cannot parse SEARCH: ${upper} needs a number`);
        return { op: "size", cmp: upper === "LARGER" ? "larger" : "smaller", size };
      }
      case "UID":
        return { op: "uid", set: sequence(string(upper)) };
      case "MODSEQ":
        return modseqKey();
      case "NOT":
        return { op: "not", key: nested() };
      case "OR": {
        const a = nested();
        return { op: "or", a, b: nested() };
      }
    }
    if (/^[\d*]/.test(word)) return { op: "seq", set: sequence(word) };
    throw new SearchError(`Cannot parse SEARCH: unknown search key ${JSON.stringify(word)}`);
  };
  /**
   * RFC 7162 3.1.5: `MODSEQ ["/flags/name" priv|shared|all] n`. We keep one MODSEQ per
   * message, not one per flag, so the optional entry is checked and then matched by the
   * message's MODSEQ, which is never lower than any of its flags'.
   */
  const modseqKey = (): SearchKey => {
    let value = next("the number after MODSEQ");
    if (value.type !== "atom" || !/^\d+$/.test(value.value)) {
      const entry = textOf(value);
      const type = textOf(next("the entry type after MODSEQ"))?.toLowerCase();
      if (!entry?.startsWith("/flags/") || !["priv", "shared", "all"].includes(type ?? "")) {
        throw new SearchError(
          'Cannot parse SEARCH: MODSEQ expects ["/flags/<flag>" priv|shared|all] and a number',
        );
      }
      value = next("the number after MODSEQ");
    }
    const text = value.type === "atom" ? value.value : "";
    if (!/^\d{1,19}$/.test(text) || BigInt(text) > 9223372036854775807n) {
      throw new SearchError("Cannot parse SEARCH: MODSEQ needs a number from 0 to 2^63 - 1");
    }
    return { op: "modseq", modseq: Math.min(Number(text), Number.MAX_SAFE_INTEGER) };
  };
  /** The key after NOT or OR: one level deeper. */
  const nested = (): SearchKey => {
    if (++depth >= LIMITS.maxNesting) {
      throw new SearchError(
        `Cannot parse SEARCH: keys nested deeper than ${LIMITS.maxNesting} levels`,
      );
    }
    try {
      return one();
    } finally {
      depth--;
    }
  };
  const keys: SearchKey[] = [];
  while (i < values.length) keys.push(one());
  if (keys.length === 0) throw new SearchError("Cannot parse SEARCH: no search key");
  return keys.length === 1 ? keys[0] : { op: "and", keys };
}

function sequence(text: string): SequenceSet {
  try {
    return parseSequenceSet(text);
  } catch (error) {
    if (error instanceof SequenceSetError) throw new SearchError(error.message);
    throw error;
  }
}

/** Whether a key uses MODSEQ (then the answer carries the highest MODSEQ, RFC 7162 3.1.5). */
export function searchUsesModseq(key: SearchKey): boolean {
  switch (key.op) {
    case "modseq":
      return true;
    case "not":
      return searchUsesModseq(key.key);
    case "or":
      return searchUsesModseq(key.a) || searchUsesModseq(key.b);
    case "and":
      return key.keys.some(searchUsesModseq);
    default:
      return false;
  }
}

/** Whether a key compares sizes (then the exact RFC822.SIZE must be known). */
export function searchUsesSize(key: SearchKey): boolean {
  switch (key.op) {
    case "size":
      return true;
    case "not":
      return searchUsesSize(key.key);
    case "or":
      return searchUsesSize(key.a) || searchUsesSize(key.b);
    case "and":
      return key.keys.some(searchUsesSize);
    default:
      return false;
  }
}

/** What a message must supply for a key: nothing beyond the index, its header, or all of it. */
export function searchNeeds(key: SearchKey): "index" | "header" | "full" {
  switch (key.op) {
    case "header":
      return "header";
    case "date":
      return key.which === "sent" ? "header" : "index";
    case "body":
    case "text":
      return "full";
    case "not":
      return searchNeeds(key.key);
    case "or":
    case "and": {
      const needs = (key.op === "or" ? [key.a, key.b] : key.keys).map(searchNeeds);
      return needs.includes("full") ? "full" : needs.includes("header") ? "header" : "index";
    }
    default:
      return "index";
  }
}

/** What matching looks at. `header` and `body` may be omitted when not needed. */
export interface SearchMessage {
  seq: number;
  uid: number;
  /** IMAP flags in lower case (flags and keywords compare case-insensitively), \recent included when it applies. */
  flags: ReadonlySet<string>;
  size: number;
  internalDate: Date;
  /** RFC 7162 3.1: the message's MODSEQ (0 when unknown). */
  modseq?: number;
  /** Header fields, unfolded: name (any case) and value. */
  header?: readonly { name: string; value: string }[];
  /** The body text (after the header). */
  body?: string;
}

/** Largest sequence number and UID in the mailbox, for `*`. */
export interface SearchContext {
  maxSeq: number;
  maxUid: number;
}

function dayOf(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

function compareDay(cmp: "before" | "on" | "since", date: Date | null, day: Date): boolean {
  if (!date || Number.isNaN(date.getTime())) return false;
  const d = dayOf(date), k = day.getTime();
  return cmp === "before" ? d < k : cmp === "on" ? d === k : d >= k;
}

/**
 * The day a Date header names, as written (RFC 3501 6.4.4: SENTBEFORE, SENTON and
 * SENTSINCE disregard time and timezone): "Sun, 25 Mar 2007 00:00:00 +0200" is 25 March,
 * although it is the 24th in UTC. Null when the header holds no RFC 5322 date.
 */
export function writtenDay(value: string): Date | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value.replace(/\([^)]*\)/g, " "));
  if (!m) return null;
  const month = MONTHS.findIndex((name) => name.toLowerCase() === m[2].toLowerCase());
  if (month < 0) return null;
  let year = Number(m[3]);
  if (m[3].length === 2) year += year < 50 ? 2000 : 1900; // RFC 5322 4.3 obs-year
  else if (m[3].length === 3) year += 1900;
  return new Date(Date.UTC(year, month, Number(m[1])));
}

/**
 * An address header as SEARCH FROM/TO/CC/BCC match it: each address as
 * `name <mailbox@host>`, comments gone and encoded words decoded, so that
 * "user@domain.org" finds `<user (comment)@ (comment) domain.org>` too.
 */
function addressText(value: string): string {
  return parseAddressList(value).map((a) => {
    if (a.group === "start") return `${a.mailbox ?? ""}:`;
    if (a.group === "end") return ";";
    const spec = a.host === null ? a.mailbox ?? "" : `${a.mailbox ?? ""}@${a.host}`;
    return a.name ? `${decodeWords(a.name)} <${spec}>` : spec;
  }).join(", ");
}

const includes = (haystack: string, needle: string) =>
  haystack.toLowerCase().includes(needle.toLowerCase());

/**
 * Does a message match the key? Strings match as case-insensitive substrings
 * (RFC 3501 6.4.4), after RFC 2047 decoding of header values.
 */
export function matchSearch(key: SearchKey, msg: SearchMessage, ctx: SearchContext): boolean {
  switch (key.op) {
    case "all":
      return true;
    case "flag":
      return msg.flags.has(key.flag.toLowerCase()) === key.set;
    case "new":
      return msg.flags.has("\\recent") && !msg.flags.has("\\seen");
    case "old":
      return !msg.flags.has("\\recent");
    case "header": {
      const fields = (msg.header ?? []).filter((h) => h.name.toUpperCase() === key.field);
      // RFC 3501: HEADER name "" matches every message that has the field.
      return fields.some((h) =>
        key.value === "" ||
        includes(key.addresses ? addressText(h.value) : decodeWords(h.value), key.value)
      );
    }
    case "body":
      return includes(msg.body ?? "", key.value);
    case "text":
      return includes(msg.body ?? "", key.value) ||
        (msg.header ?? []).some((h) => includes(`${h.name}: ${decodeWords(h.value)}`, key.value));
    case "date": {
      if (key.which === "internal") return compareDay(key.cmp, msg.internalDate, key.date);
      const sent = (msg.header ?? []).find((h) => h.name.toUpperCase() === "DATE");
      return compareDay(key.cmp, sent ? writtenDay(sent.value) : null, key.date);
    }
    case "size":
      return key.cmp === "larger" ? msg.size > key.size : msg.size < key.size;
    case "uid":
      return setContains(key.set, msg.uid, ctx.maxUid);
    case "seq":
      return setContains(key.set, msg.seq, ctx.maxSeq);
    case "modseq":
      return (msg.modseq ?? 0) >= key.modseq;
    case "not":
      return !matchSearch(key.key, msg, ctx);
    case "or":
      return matchSearch(key.a, msg, ctx) || matchSearch(key.b, msg, ctx);
    case "and":
      return key.keys.every((k) => matchSearch(k, msg, ctx));
  }
}

/** Whether a search string argument is an atom named `word` (for CHARSET). */
export function isCharset(value: ImapValue | undefined): boolean {
  return isAtom(value, "CHARSET");
}
