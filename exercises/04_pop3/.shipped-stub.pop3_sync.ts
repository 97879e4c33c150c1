/**
 * Exercise: "leave mail on server", for real: sync a POP3 mailbox into a local Maildir.
 *
 * `uidl_sync.ts` planned a sync on paper. Now do it over a socket, into a real Maildir
 * that other mail programs can read (Python's mailbox module reads it in the grader).
 * `syncMaildir()` logs in, asks `UIDL` (RFC 1939 7: one unique id per message, stable
 * across sessions, unlike message numbers), downloads with `RETR n` each message whose id
 * it has never seen, stores it in the local Maildir, and ends with QUIT. It never deletes
 * anything on the server.
 *
 * It must remember which ids it has downloaded between runs: keep them in the file
 * {@linkcode STATE_FILE} inside the local Maildir folder, one id per line. Record an id
 * only once its message is safely stored: a sync cut off half-way must fetch that message
 * again next time, never lose it and never store half of it.
 *
 * You may import lib/net (sockets) and lib/maildir (`Maildir.open(folder)`, then
 * `deliver(bytes)`), not lib/pop3 (that is the answer). Every line you wait for has a
 * deadline (`options.timeoutMs`); close the connection whatever happens.
 * `deno task grade 04_pop3/pop3_sync` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, LineWriter, withTimeout } from "../../lib/net/mod.ts";
import { Maildir } from "../../lib/maildir/mod.ts";

/** The file, inside the local Maildir, that lists the ids already downloaded. */
export const STATE_FILE = ".pop3-uidl";

/** Options for {@linkcode syncMaildir}. */
export interface SyncOptions {
  /** Deadline for connecting and for each line, in ms. */
  timeoutMs: number;
}

/** What one sync did. */
export interface SyncResult {
  /** Ids downloaded this time, in listing order. */
  fetched: string[];
  /** Messages on the server that were already here. */
  skipped: number;
}

/** Download the messages of `user` that `maildir` does not have yet; delete nothing. */
export async function syncMaildir(
  port: number,
  user: string,
  password: string,
  maildir: string,
  options: SyncOptions,
): Promise<SyncResult> {
  // TODO: read the ids already downloaded from maildir/STATE_FILE (none the first time).
  // TODO: connect; greeting, USER, PASS; UIDL (a multi-line "n id" listing).
  // TODO: for each id not yet known: RETR n (undo the byte-stuffing), deliver it into the
  //       Maildir, then add the id to the state file.
  // TODO: QUIT; close the connection in a `finally`.
  void [connectLoopback, LineReader, LineWriter, withTimeout, Maildir];
  void [port, user, password, maildir, options];
  await Promise.resolve();
  throw todo("syncMaildir(): leave mail on the server, download what is new");
}
