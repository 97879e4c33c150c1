/**
 * Exercise: split a stream of IMAP server responses into frames (RFC 3501 2.2, 4.3).
 *
 * An IMAP response is one CRLF-terminated line, unless a line ends with `{n}`: then
 * exactly n octets follow the CRLF (a "literal", e.g. a message body that may itself
 * contain CRLFs), and after them the response line goes on. n counts octets, not
 * characters: "é" is 2 octets in UTF-8.
 *
 * Write `splitFrames(wire)`: given the bytes a client received, return one frame per
 * complete response: its text lines (without CRLF; every line but the last ends with
 * the `{n}` marker) and its literals (the octets, untouched). Bytes after the last
 * complete response are not returned: that response is still arriving (a line without
 * its LF yet, or a literal with fewer than n octets so far).
 *
 * Example: `* 1 FETCH (BODY[] {5}\r\nab\r\nc)\r\na1 OK done\r\n` is two frames:
 * `{ lines: ["* 1 FETCH (BODY[] {5}", ")"], literals: [bytes of "ab\r\nc"] }` and
 * `{ lines: ["a1 OK done"], literals: [] }`.
 *
 * Check your work with `deno task grade 05_imap`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One response: lines with the literals that sat between them. */
export interface Frame {
  /** Text lines without CRLF; each but the last ends with "{n}". */
  lines: string[];
  /** The literals' octets, in order (`lines.length === literals.length + 1`). */
  literals: Uint8Array[];
}

/** Split received bytes into complete response frames. */
export function splitFrames(wire: Uint8Array): Frame[] {
  // TODO: find each line's LF in the bytes (wire.indexOf(0x0a, from)); drop the CR before it.
  // TODO: a line ending in {n} is followed by exactly n octets (not characters!): copy them
  //       into literals, then read the next line of the same frame.
  // TODO: stop (without returning it) at a response that is not complete yet.
  void wire;
  throw todo("splitFrames(): split received bytes into response frames");
}
