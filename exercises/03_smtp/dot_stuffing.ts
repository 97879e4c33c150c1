/**
 * Exercise: dot-stuffing, the way SMTP's DATA marks the end of a message
 * (RFC 5321 sections 4.1.1.4 and 4.5.2).
 *
 * After DATA and the server's 354, the client sends the message and ends it with a line
 * holding a single dot: the bytes CRLF "." CRLF. A message line that itself starts with
 * "." would be mistaken for the end (or lose its dot), so the sender puts one extra "."
 * in front of every line that starts with "." and the receiver removes exactly one.
 *
 * Write `stuffData(message)`: `message` is text whose lines end with CRLF ("\r\n"). Return
 * what the client sends after 354: each line starting with "." gets one more ".", a final
 * CRLF is added if the message does not end with one (an empty message stays empty), and
 * the terminator ".\r\n" comes last.
 *
 * Write `unstuffData(block)`: the inverse. `block` ends with the terminator; return the
 * message with one leading dot removed from each line that has one. Throw an Error when the
 * block does not end with the terminator line (CRLF "." CRLF, or just ".\r\n" for an empty
 * message).
 *
 * Check your work with `deno task grade 03_smtp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** The DATA block for `message` (CRLF lines): stuffed, terminated. */
export function stuffData(message: string): string {
  // TODO: split into lines on "\r\n"; double a leading "."; end with "\r\n.\r\n".
  void message;
  throw todo("stuffData(): dot-stuff a message and add the terminator");
}

/** The message inside a DATA block: terminator removed, one leading dot per line removed. */
export function unstuffData(block: string): string {
  // TODO: check and drop the terminator; remove ONE leading "." from each line.
  void block;
  throw todo("unstuffData(): undo the dot-stuffing");
}
