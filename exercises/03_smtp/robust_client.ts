/**
 * Exercise (challenge): an SMTP client that survives servers that misbehave.
 *
 * `mini_client.ts` delivered to a polite server. Real servers are slower, stranger and
 * sometimes broken. Write `deliver()` again so that against every scenario of
 * `lib/misbehave/scenarios.ts` (read the table: it says what each server does and what an
 * RFC-correct client must do) it either delivers the message intact, exactly once, or
 * throws a {@linkcode DeliveryError} that says what happened, and always:
 *
 * - ends within its deadline: `options.timeoutMs` for each reply it waits for
 *   (RFC 5321 4.5.3.2 asks for a timer per command, not one for the whole dialogue);
 * - closes its connection, whatever happened;
 * - never sends the message unless DATA was answered with 354;
 * - reports a 4yz reply, a deadline passed or a connection that broke off as a
 *   {@linkcode TransientDeliveryError} (RFC 5321 3.8 says to treat a broken connection as a
 *   451), anything else as a {@linkcode DeliveryError}, with the server's reply text in the
 *   error's message.
 *
 * You may import from lib/net (sockets, lines, deadlines), not from lib/smtp (that is the
 * answer). `deno task grade 03_smtp/robust_client` runs your client against each scenario.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import {
  connectLoopback,
  LineReader,
  LineWriter,
  TimeoutError,
  withTimeout,
} from "../../lib/net/mod.ts";

/** Who sends and who receives. */
export interface Envelope {
  from: string;
  to: string;
}

/** Options for {@linkcode deliver}. */
export interface DeliverOptions {
  /** Deadline for connecting and for each reply, in ms. */
  timeoutMs: number;
}

/**
 * Delivery failed for good: a 5yz reply, or a reply that makes no sense at that step.
 * Retrying the same message as it is will not help. `reply` is the server's last reply
 * line, when there was one.
 */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(message: string, readonly reply?: string) {
    super(message);
  }
}

/**
 * Delivery failed for now: a 4yz reply, a deadline passed, or the connection broke off
 * (RFC 5321 3.8 treats that as a 451). Worth retrying later.
 */
export class TransientDeliveryError extends DeliveryError {
  override name = "TransientDeliveryError";
}

/** One whole SMTP reply: its code and every line of it. */
export interface Reply {
  code: number;
  lines: string[];
}

/**
 * Read one whole reply (RFC 5321 4.2.1) within `timeoutMs`. Returns null when the server
 * closed the connection first.
 */
export async function readReply(reader: LineReader, timeoutMs: number): Promise<Reply | null> {
  // TODO: read lines until the last line of the reply; every line carries the same code.
  // TODO: a line that is not "ddd", "ddd text" or "ddd-text" is not a reply: throw.
  // TODO: the deadline covers the whole reply, not one read.
  void [reader, timeoutMs, withTimeout, TimeoutError];
  await Promise.resolve();
  throw todo("readReply(): one whole reply, with a deadline");
}

/**
 * Deliver `message` (CRLF line ends) from `envelope.from` to `envelope.to` through the SMTP
 * server on 127.0.0.1:`port`. Returns the last line of the server's reply to the message.
 *
 * @throws {DeliveryError} the message was not delivered.
 */
export async function deliver(
  port: number,
  envelope: Envelope,
  message: string,
  options: DeliverOptions,
): Promise<string> {
  // TODO: refuse addresses holding CR, LF or angle brackets before connecting.
  // TODO: connect with the deadline; read the greeting (220 or give up).
  // TODO: EHLO, MAIL FROM, RCPT TO, DATA, each expecting its code; the message,
  //       dot-stuffed, then "."; QUIT. Turn every unexpected reply, timeout or close into
  //       a DeliveryError or a TransientDeliveryError.
  // TODO: close the connection in a `finally`.
  void [connectLoopback, LineReader, LineWriter, port, envelope, message, options];
  await Promise.resolve();
  throw todo("deliver(): survive the misbehaving servers");
}
