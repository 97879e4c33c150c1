/**
 * Exercise: an SMTP server of your own, that real mail programs deliver to.
 *
 * So far you wrote the sending side. Now write the receiving side (RFC 5321 sections 3.3
 * and 4.1): `startServer()` listens on 127.0.0.1, speaks SMTP to each client, and keeps
 * every message it accepts, with its envelope, in the list that `messages()` returns (the
 * course's own server, lib/smtp, writes them to a Maildir instead; your code is graded in
 * a process that may not write files). The grader sends to it with curl, swaks and
 * Python's smtplib, pipelined and not, with dot-stuffed lines and 8-bit text, then
 * compares what you kept with what they sent, byte for byte.
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
 * - a kept message is exactly what the client meant (you may put trace lines,
 *   Return-Path: and Received:, above it, RFC 5321 4.4), and it is kept before the 250;
 * - a client that vanishes in the middle of DATA leaves nothing kept;
 * - commands may arrive pipelined: several in one TCP segment.
 *
 * You may import lib/net (serveLoopback, LineReader, LineWriter), not lib/smtp (that is
 * the answer).
 * `deno task grade 03_smtp/smtp_server` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { LineReader, LineWriter, serveLoopback } from "../../lib/net/mod.ts";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** Our name: in the greeting, and the one domain we accept mail for. */
  hostname: string;
}

/** A message the server accepted with 250. */
export interface ReceivedMessage {
  /** The MAIL FROM address (may be "" for a bounce). */
  from: string;
  /** The accepted RCPT TO addresses, in order. */
  to: string[];
  /** The message, dot-stuffing undone, every line ending in CRLF. */
  data: Uint8Array;
}

/** A running server. */
export interface RunningServer {
  /** The port on 127.0.0.1. */
  port: number;
  /** Every message accepted so far, oldest first. */
  messages(): ReceivedMessage[];
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
  // TODO: a list for the accepted messages.
  // TODO: serveLoopback(handler): for each connection, a LineReader and a LineWriter.
  // TODO: greet; then read commands one by one, dispatching on the verb, keeping a
  //       Transaction; reset it after each message and on RSET.
  // TODO: DATA: read lines up to ".", undo the dot-stuffing, keep the message, then reply.
  // TODO: return { port, messages, close }, closing through the loopback server.
  void [LineReader, LineWriter, serveLoopback, options];
  await Promise.resolve();
  throw todo("startServer(): receive mail");
}
