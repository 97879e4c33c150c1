/**
 * Exercise: the SMTP server's command sequence rules (RFC 5321 sections 3.3 and 4.1.4).
 *
 * A server accepts commands only in order: first a greeting (EHLO or HELO), then one
 * transaction at a time: MAIL FROM, one or more RCPT TO, then DATA. A command out of
 * order gets 503 ("bad sequence of commands") and changes nothing.
 *
 * Write `nextState(state, verb)` for a server in one of these states:
 *
 * - "start": connected, not yet greeted;
 * - "greeted": after EHLO/HELO, no transaction open;
 * - "mail": after an accepted MAIL FROM;
 * - "rcpt": after at least one accepted RCPT TO;
 * - "closed": after QUIT.
 *
 * `verb` is the command word in any letter case ("mail", "MAIL"). Assume every argument
 * is fine and every sender and recipient is accepted. Return the reply code and the new
 * state:
 *
 * | verb | where it is allowed | code | new state |
 * | --- | --- | --- | --- |
 * | EHLO, HELO | anywhere (but "closed") | 250 | "greeted" (an open transaction is dropped) |
 * | MAIL | "greeted" | 250 | "mail" |
 * | RCPT | "mail", "rcpt" | 250 | "rcpt" |
 * | DATA | "rcpt" | 354 | "greeted" (after the message the transaction is over) |
 * | RSET | anywhere (but "closed") | 250 | "greeted", or "start" if not greeted yet |
 * | NOOP | anywhere (but "closed") | 250 | unchanged |
 * | VRFY | anywhere (but "closed") | 252 | unchanged |
 * | QUIT | anywhere (but "closed") | 221 | "closed" |
 *
 * A known verb where it is not allowed: 503, state unchanged. An unknown verb: 500,
 * state unchanged. In "closed" nothing is allowed: throw an Error.
 *
 * Check your work with `deno task grade 03_smtp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** Where a server is in a session. */
export type SmtpState = "start" | "greeted" | "mail" | "rcpt" | "closed";

/** The reply code for `verb` in `state`, and the state after it. */
export function nextState(state: SmtpState, verb: string): { code: number; state: SmtpState } {
  // TODO: refuse everything in "closed"; upper-case the verb.
  // TODO: a table from verb to the states where it is allowed, then the code and new state.
  void state;
  void verb;
  throw todo("nextState(): apply the SMTP command sequence rules");
}
