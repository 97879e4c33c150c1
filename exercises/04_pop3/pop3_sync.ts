/**
 * Exercise: "leave mail on the server", for real: a UIDL sync over a socket.
 *
 * `uidl_sync.ts` planned a sync on paper. Now do it against a server whose mailbox is a
 * real Maildir, with mail arriving and other clients deleting between your syncs.
 * `syncNew()` logs in, asks `UIDL` (RFC 1939 7: one unique id per message, stable across
 * sessions, unlike message numbers), downloads with `RETR n` every message whose id is
 * not in `known`, and ends with QUIT. It never deletes anything on the server.
 *
 * The caller (the grader plays a mail program) stores what you return in its own Maildir
 * and passes the ids it has back as `known` next time; you also tell it which known ids
 * the server no longer lists (deleted by another client).
 *
 * Rules: decide by id, never by message number; un-stuff the message lines and give them
 * their CRLF back; give every line you wait for a deadline (`options.timeoutMs`); a sync
 * cut off half-way throws (the caller then stores nothing and tries again later: nothing
 * lost, nothing half-stored); close the connection whatever happens.
 *
 * You may import lib/net, not lib/pop3 (that is the answer).
 * `deno task grade 04_pop3/pop3_sync` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, LineWriter, withTimeout } from "../../lib/net/mod.ts";

/** Options for {@linkcode syncNew}. */
export interface SyncOptions {
  /** Deadline for connecting and for each line, in ms. */
  timeoutMs: number;
}

/** A message the caller did not have yet. */
export interface NewMessage {
  /** Its UIDL id. */
  uid: string;
  /** Its bytes, CRLF line ends, stuffing undone. */
  bytes: Uint8Array;
}

/** What one sync found. */
export interface SyncResult {
  /** Messages whose id was not known, in listing order. */
  fetched: NewMessage[];
  /** Known ids the server no longer lists. */
  gone: string[];
  /** Messages on the server that were already known. */
  skipped: number;
}

/** Download the messages of `user` whose UIDL id is not in `known`; delete nothing. */
export async function syncNew(
  port: number,
  user: string,
  password: string,
  known: string[],
  options: SyncOptions,
): Promise<SyncResult> {
  // TODO: connect; greeting, USER, PASS; UIDL (a multi-line "n id" listing up to ".").
  // TODO: for each id not in known: RETR n (its current number), un-stuffed, CRLF lines.
  // TODO: work out which known ids are gone; QUIT; close the connection in a `finally`.
  void [connectLoopback, LineReader, LineWriter, withTimeout];
  void [port, user, password, known, options];
  await Promise.resolve();
  throw todo("syncNew(): leave mail on the server, download what is new");
}
