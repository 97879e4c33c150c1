/**
 * Exercise: multi-line POP3 responses and byte-stuffing (RFC 1939 section 3).
 *
 * LIST, UIDL, RETR, TOP and CAPA answer with a status line and then a body that ends
 * with a line holding a single ".". A body line that itself starts with "." is sent
 * with one extra "." in front ("byte-stuffing"), so it cannot be taken for the end.
 *
 * Write `readMultiline(lines)`: `lines` are received lines without CRLF, possibly more
 * than one response's worth (a pipelining client reads ahead). Return the status line,
 * the body with the stuffing undone (remove ONE leading dot), and the lines after the
 * terminator. A "-ERR" status has no body. Throw an Error when there are no lines, the
 * first is not "+OK"/"-ERR", or the terminator never comes.
 *
 * Write `stuff(body)`: the lines a server sends for `body`, terminator included.
 *
 * Check your work with `deno task grade 04_pop3`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** A response split off the received lines. */
export interface Multiline {
  /** The status line: "+OK ..." or "-ERR ...". */
  status: string;
  /** The body lines, un-stuffed, without the terminating ".". Empty after -ERR. */
  body: string[];
  /** Lines received after this response (a pipelining client reads ahead). */
  rest: string[];
}

/** Read one multi-line response from `lines` (each without CRLF). */
export function readMultiline(lines: string[]): Multiline {
  // TODO: the first line is the status; -ERR means no body follows.
  // TODO: collect body lines until the line "."; undo the stuffing of lines starting with ".".
  void lines;
  throw todo("readMultiline(): split one multi-line response off the lines");
}

/** The lines to send for `body`: each starting "." gets another, then the "." line. */
export function stuff(body: string[]): string[] {
  // TODO: prefix lines that start with "." with another "."; end with ".".
  void body;
  throw todo("stuff(): byte-stuff a body and terminate it");
}
