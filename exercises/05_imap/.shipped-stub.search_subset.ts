/**
 * Exercise: a SEARCH subset (RFC 3501 6.4.4), the way a server runs it over a mailbox.
 *
 * Criteria are search keys separated by spaces; all of them must match (AND). Keys:
 *
 * - ALL; SEEN, UNSEEN, FLAGGED, UNFLAGGED, DELETED, UNDELETED, ANSWERED, UNANSWERED
 *   (\Seen, \Flagged, \Deleted, \Answered set or not);
 * - FROM, TO, SUBJECT followed by a string (an atom or a "quoted string"): the header
 *   contains it, ignoring letter case (RFC 3501: case-insensitive substring);
 * - LARGER n, SMALLER n: size strictly greater / smaller than n octets;
 * - UID set: the message's UID is in the set (e.g. 2:4,9 or 5:*; "*" is the highest UID);
 * - NOT key; OR key1 key2; and ( keys... ) to group.
 *
 * Write `search(messages, criteria)`: the sequence numbers of the matching messages,
 * ascending. Throw an Error for an unknown key or a missing argument.
 *
 * Check your work with `deno task grade 05_imap`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** A message as the search sees it. */
export interface Message {
  seq: number;
  uid: number;
  /** IMAP flags, e.g. ["\\Seen", "\\Flagged"]. */
  flags: string[];
  /** Size in octets (RFC822.SIZE). */
  size: number;
  /** Header fields by lower-case name: { from: "Alice <a@x>", subject: "Hi" }. */
  headers: Record<string, string>;
}

/** Sequence numbers of the messages matching `criteria`. */
export function search(messages: Message[], criteria: string): number[] {
  // TODO: split the criteria into tokens: atoms, "quoted strings" (without the quotes), ( and ).
  // TODO: read one key at a time (NOT and OR read their own sub-keys; ( ... ) groups keys).
  // TODO: a message matches when every top-level key matches; return sequence numbers ascending.
  void messages, criteria;
  throw todo("search(): run a SEARCH subset over the messages");
}
