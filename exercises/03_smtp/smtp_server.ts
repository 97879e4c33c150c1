/**
 * Exercise: an SMTP server of your own, that real mail programs deliver to.
 *
 * So far you wrote the sending side. Now write the receiving side (RFC 5321 sections 3.3
 * and 4.1): `startServer()` listens on 127.0.0.1, speaks SMTP to each client, and stores
 * every message it accepts into a Maildir folder. The grader sends to it with curl,
 * swaks and Python's smtplib, pipelined and not, with dot-stuffed lines and 8-bit text,
 * then reads the Maildir back and compares bytes.
 *
 * What your server must do:
 *
 * - greet with `220 <hostname> ...`; answer EHLO with a multi-line 250 that lists
 *   PIPELINING and 8BITMIME (RFC 2920, RFC 6152), and HELO with a one-line 250;
 * - MAIL FROM:<address> (parameters such as BODY=8BITMIME or SIZE=n may follow) -> 250;
 *   RCPT TO:<user@hostname> -> 250, any other domain -> 550 (never an open relay);
 *   DATA -> 354, then the message up to the line ".", dot-stuffing undone -> 250 once the
 *   message is in the Maildir; RSET and NOOP -> 250; QUIT -> 221, then close;
 * - commands in the wrong order get 503, unknown commands 500 or 502, and the session goes on;
 * - the stored file is the message exactly as the client meant it (you may put trace
 *   lines, Return-Path: and Received:, above it, RFC 5321 4.4);
 * - a client that vanishes in the middle of DATA leaves nothing stored;
 * - commands may arrive pipelined: several in one TCP segment.
 *
 * You may import lib/net (serveLoopback, LineReader, LineWriter) and lib/maildir
 * (`Maildir.open(path)`, `deliver(bytes)`), not lib/smtp (that is the answer).
 * `deno task grade 03_smtp/smtp_server` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { LineReader, LineWriter, serveLoopback } from "../../lib/net/mod.ts";
import { Maildir } from "../../lib/maildir/mod.ts";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** The Maildir folder messages go into (it has, or will get, tmp/ new/ cur/). */
  maildir: string;
  /** Our name: in the greeting, and the one domain we accept mail for. */
  hostname: string;
}

/** A running server. */
export interface RunningServer {
  /** The port on 127.0.0.1. */
  port: number;
  /** Stop listening and close every connection. */
  close(): Promise<void>;
}

/** The envelope of the transaction under way (RFC 5321 3.3). */
export interface Transaction {
  from: string | null;
  to: string[];
}

/** Start the server on a free port of 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // TODO: open the Maildir.
  // TODO: serveLoopback(handler): for each connection, a LineReader and a LineWriter.
  // TODO: greet; then read commands one by one, dispatching on the verb, keeping a
  //       Transaction; reset it after each message and on RSET.
  // TODO: DATA: read lines up to ".", undo the dot-stuffing, store, then reply.
  // TODO: return { port, close } from the loopback server.
  void [LineReader, LineWriter, serveLoopback, Maildir, options];
  await Promise.resolve();
  throw todo("startServer(): receive mail");
}
