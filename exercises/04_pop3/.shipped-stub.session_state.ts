/**
 * Exercise: the POP3 session state machine (RFC 1939 sections 3 to 6).
 *
 * A POP3 session moves through three states. In AUTHORIZATION the client may send
 * USER, PASS and QUIT. A right password moves it to TRANSACTION, where STAT, LIST, DELE,
 * RSET, NOOP and QUIT are allowed. QUIT in TRANSACTION enters UPDATE: only then are the
 * messages marked by DELE removed. Write `handle`, which answers one command line:
 *
 * - commands are case-insensitive; an unknown command, or one not allowed in the current
 *   state, gets "-ERR ..." and changes nothing;
 * - USER name remembers the name; PASS pw checks `password` (PASS before USER is -ERR);
 *   a wrong password gets -ERR and the client must send USER again;
 * - STAT answers "+OK count size", leaving out deleted messages;
 * - LIST n answers "+OK n size" (LIST alone just "+OK ..." here);
 * - DELE n marks message n. Message numbers never change during a session: marking
 *   message 1 does not make message 2 the first. A number that is not a positive
 *   integer, out of range, or already marked gets -ERR;
 * - RSET unmarks everything; NOOP does nothing;
 * - QUIT in TRANSACTION enters UPDATE and returns `removed`: the marked numbers,
 *   ascending. QUIT in AUTHORIZATION ends the session with `removed: []`, no UPDATE.
 *
 * Every reply starts with "+OK" or "-ERR". The real thing is lib/pop3/session.ts; try
 * on your own first. Check your work with `deno task grade 04_pop3`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** The three states of RFC 1939 section 3. */
export type Pop3State = "AUTHORIZATION" | "TRANSACTION" | "UPDATE";

/** Everything the session remembers. */
export interface MiniSession {
  state: Pop3State;
  /** The name given by USER, waiting for PASS. */
  user?: string;
  /** Size of message n at index n - 1. */
  sizes: number[];
  /** Message numbers marked by DELE. */
  deleted: Set<number>;
}

/** What `handle` returns. */
export interface Handled {
  session: MiniSession;
  /** One status line, starting with "+OK" or "-ERR" (multi-line bodies left out). */
  reply: string;
  /** Only for QUIT: the message numbers removed in UPDATE, ascending ([] when none). */
  removed?: number[];
}

/** A new session over a maildrop with these message sizes. */
export function newSession(sizes: number[]): MiniSession {
  return { state: "AUTHORIZATION", sizes: [...sizes], deleted: new Set() };
}

/** Answer one command line; `password` is the one the user must give. */
export function handle(session: MiniSession, line: string, password: string): Handled {
  // TODO: split the line into a keyword and arguments; upper-case the keyword.
  // TODO: keep a table of which keyword is allowed in which state, and check it first.
  // TODO: one branch per command; DELE only marks, QUIT in TRANSACTION reports the marks.
  void [session, line, password];
  throw todo("handle(): answer one POP3 command");
}
