/**
 * Exercise: a minimal SMTP client that delivers one message to the course server
 * (RFC 5321 sections 3.3 and 4.1).
 *
 * The SMTP client is the side that sends: it connects to the server and pushes the
 * message to it. Write `deliver(port, from, to, message)`:
 *
 * 1. connect to 127.0.0.1:`port` and read the greeting (220);
 * 2. send `EHLO localhost` and read the reply (250; it has several lines!);
 * 3. send `MAIL FROM:<from>` (250), `RCPT TO:<to>` (250), `DATA` (354);
 * 4. send the message dot-stuffed (a line starting with "." gets one more "."), then the
 *    end-of-data line "." (the message's lines end with "\r\n");
 * 5. read the reply to the message (250), send `QUIT` (221), close the connection.
 *
 * Return the last line of the reply to the message, e.g. "250 2.0.0 Ok: queued as 1X".
 * When a reply does not have the expected code, close the connection and throw an Error
 * whose message contains that reply (e.g. "RCPT refused: 550 5.1.1 ...").
 *
 * Every line you send ends with "\r\n". A reply line whose fourth character is "-" is
 * followed by more lines of the same reply: read on until a line without "-".
 *
 * lib/net has what you need: `connectLoopback(port, { timeoutMs })` connects with a
 * deadline, `new LineReader(conn, { idleTimeoutMs })` gives `readLine()` (its `.text`),
 * `new LineWriter(conn)` gives `writeLine(text)` and `writeBytes(bytes)`.
 *
 * Check your work with `deno task grade 03_smtp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, LineWriter } from "../../lib/net/mod.ts";

/** Deliver `message` from `from` to `to` through the SMTP server on 127.0.0.1:`port`. */
export async function deliver(
  port: number,
  from: string,
  to: string,
  message: string,
): Promise<string> {
  // TODO: connect; make a LineReader and a LineWriter on the connection.
  // TODO: a helper that reads one whole reply (all its lines) and checks its code.
  // TODO: greeting, EHLO, MAIL FROM, RCPT TO, DATA, the stuffed message and ".", QUIT.
  // TODO: close the connection in a `finally`.
  void [connectLoopback, LineReader, LineWriter, port, from, to, message];
  await Promise.resolve();
  throw todo("deliver(): speak SMTP to the course server");
}
