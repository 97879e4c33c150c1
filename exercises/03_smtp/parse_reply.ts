/**
 * Exercise: read a multi-line SMTP reply (RFC 5321 section 4.2).
 *
 * Every reply line starts with a three-digit code. Then comes a separator: "-" means
 * "more lines follow", a space (or nothing at all) marks the last line. So the EHLO
 * reply
 *
 *     250-mx.test greets pc
 *     250-PIPELINING
 *     250 SIZE 10240000
 *
 * is ONE reply with code 250 and three lines of text.
 *
 * Write `readReply(lines)`: `lines` are received lines without CRLF, possibly more than
 * one reply's worth (after pipelined commands the client has several replies waiting).
 * Return the code, the text of each line (without code and separator), and the lines
 * after this reply. Throw an Error (with a message saying what is wrong) when:
 * there are no lines, a line does not start with three digits followed by "-", " " or
 * the end of the line, a line's code differs from the first line's, or the last line
 * never comes.
 *
 * Check your work with `deno task grade 03_smtp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One reply split off the received lines. */
export interface ReadReply {
  /** The three-digit code, e.g. 250. */
  code: number;
  /** The text of each line, without code and separator. */
  lines: string[];
  /** Lines received after this reply. */
  rest: string[];
}

/** Read one reply from `lines` (each without CRLF). */
export function readReply(lines: string[]): ReadReply {
  // TODO: check each line: three digits, then "-", " " or nothing.
  // TODO: every line must carry the first line's code; stop after the line without "-".
  void lines;
  throw todo("readReply(): split one SMTP reply off the lines");
}
