/**
 * An SMTP client that survives misbehaving servers: a deadline on every reply, whole
 * multi-line replies, strict reply codes, and an error that says transient or permanent.
 *
 * @module
 */

import {
  connectLoopback,
  LineReader,
  LineTooLongError,
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
  const collecting = (async (): Promise<Reply | null> => {
    const lines: string[] = [];
    let code: number | undefined;
    while (true) {
      const line = await reader.readLine();
      if (line === null) return null;
      const match = /^(\d{3})([ -]|$)(.*)$/.exec(line.text);
      if (!match) throw new Error(`Cannot parse reply line: ${JSON.stringify(line.text)}`);
      const lineCode = Number(match[1]);
      if (code !== undefined && lineCode !== code) {
        throw new Error(`Cannot parse reply: code ${lineCode} inside a ${code} reply`);
      }
      code = lineCode;
      lines.push(line.text);
      if (match[2] !== "-") return { code, lines };
    }
  })();
  collecting.catch(() => {}); // if the deadline wins, the caller closes and this read fails
  return await withTimeout(collecting, timeoutMs, "the server's reply");
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
  for (const address of [envelope.from, envelope.to]) {
    if (/[\r\n<>]/.test(address)) {
      throw new DeliveryError(`Cannot send to ${JSON.stringify(address)}: bad address`);
    }
  }
  let conn: Deno.TcpConn;
  try {
    conn = await connectLoopback(port, { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw new TransientDeliveryError(`Cannot connect: ${(error as Error).message}`);
  }
  const reader = new LineReader(conn, { maxLineLength: 2048 });
  const writer = new LineWriter(conn);
  /** Read a reply and check its code; every failure becomes a DeliveryError. */
  const expect = async (step: string, code: number): Promise<string> => {
    let reply: Reply | null;
    try {
      reply = await readReply(reader, options.timeoutMs);
    } catch (error) {
      const why = error instanceof TimeoutError
        ? `no reply within ${options.timeoutMs} ms (timed out)`
        : error instanceof LineTooLongError
        ? `a reply line of ${error.length} bytes, over our limit`
        : (error as Error).message;
      throw new TransientDeliveryError(`${step}: ${why}`);
    }
    if (reply === null) {
      // RFC 5321 3.8: a connection that broke off counts as a 451.
      throw new TransientDeliveryError(`${step}: the server closed the connection`);
    }
    const last = reply.lines.at(-1)!;
    if (reply.code !== code) {
      const transient = reply.code >= 400 && reply.code < 500;
      const polite = reply.code >= 400; // the server still talks: say goodbye
      if (polite) await quit().catch(() => {});
      const message = `${step} refused: ${reply.lines.join(" / ")} (${
        transient ? "transient, retry later" : "expected " + code
      })`;
      throw transient
        ? new TransientDeliveryError(message, last)
        : new DeliveryError(message, last);
    }
    return last;
  };
  const quit = async () => {
    await writer.writeLine("QUIT");
    await readReply(reader, options.timeoutMs);
  };
  try {
    await expect("greeting", 220);
    await writer.writeLine("EHLO localhost");
    await expect("EHLO", 250);
    await writer.writeLine(`MAIL FROM:<${envelope.from}>`);
    await expect("MAIL", 250);
    await writer.writeLine(`RCPT TO:<${envelope.to}>`);
    await expect("RCPT", 250);
    await writer.writeLine("DATA");
    await expect("DATA", 354);
    const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
    const lines = body === "" ? [] : body.split("\r\n");
    await writer.writeLines([...lines.map((l) => l.startsWith(".") ? "." + l : l), "."]);
    const accepted = await expect("message", 250);
    await quit().catch(() => {}); // delivered: a lost 221 changes nothing
    return accepted;
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    throw new TransientDeliveryError(`Cannot deliver: ${(error as Error).message}`);
  } finally {
    conn.close();
  }
}
