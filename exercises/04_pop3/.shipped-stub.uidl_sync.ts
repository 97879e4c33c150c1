/**
 * Exercise: "leave mail on server" with UIDL (RFC 1939 section 7).
 *
 * Message numbers are only valid inside one session: delete message 1 today and
 * tomorrow's message 1 is another message. UIDL gives each message a unique id that
 * stays the same across sessions. A client that remembers the ids it has downloaded can
 * fetch only what is new, and leave everything on the server.
 *
 * Write `parseUidlLine("3 QhdPYR:00WBw1Ph7x7")`: a number, one space, and a uid of 1 to
 * 70 characters between 0x21 and 0x7E (so a uid may contain ".", "/", ":" and the like,
 * but no space). Throw an Error naming the line when it does not fit.
 *
 * Write `planFetch(listing, known)`: `listing` holds the UIDL listing lines (no status
 * line, no terminator); `known` the uids already downloaded. Return the message numbers
 * to RETR (ascending) and the known uids the server no longer lists.
 *
 * Check your work with `deno task grade 04_pop3`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One UIDL listing line, parsed. */
export interface UidlEntry {
  number: number;
  uid: string;
}

/** Parse a UIDL listing line "n uid". */
export function parseUidlLine(line: string): UidlEntry {
  // TODO: check the shape with a regular expression; the uid is everything after the space.
  void line;
  throw todo("parseUidlLine(): parse 'n uid'");
}

/** The plan for one sync. */
export interface FetchPlan {
  /** Message numbers to RETR, ascending. */
  fetch: number[];
  /** Known uids the server no longer lists. */
  gone: string[];
}

/** Compare the UIDL listing lines with the uids already downloaded. */
export function planFetch(listing: string[], known: ReadonlySet<string>): FetchPlan {
  // TODO: parse every line; fetch the numbers whose uid is not known; report vanished uids.
  void [listing, known];
  throw todo("planFetch(): decide what to download");
}
