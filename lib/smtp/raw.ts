/**
 * A raw SMTP connection for experiments and tests: write any bytes (including the bad
 * ones a real client would never send) and read whole replies.
 *
 * {@linkcode SmtpClient} refuses to send CR or LF inside a command, which is right for a
 * client; probing a server for smuggling, overlong lines or pipelining needs exactly such
 * bytes, so this connection sends what it is given.
 *
 * @module
 */

import {
  closeQuietly,
  connectLoopback,
  IdleTimeoutError,
  LineReader,
  writeAll,
} from "../net/mod.ts";
import { tap, type Transcript } from "../transcript/transcript.ts";
import { type Reply, ReplyCollector } from "./reply.ts";

const encoder = new TextEncoder();

/**
 * One connection, bytes in and replies out.
 *
 * @example
 * ```ts
 * import { RawConnection } from "./raw.ts";
 * import { serveSmtp } from "./server.ts";
 * import { MemoryMailStore } from "./backend.ts";
 * await using server = serveSmtp({ store: new MemoryMailStore() });
 * await using raw = await RawConnection.open(server.port);
 * const greeting = await raw.readReply();
 * const reply = await raw.command("NOOP");
 * if (greeting.code !== 220 || reply.code !== 250) throw new Error();
 * ```
 */
export class RawConnection implements AsyncDisposable {
  readonly #conn: Deno.TcpConn;
  readonly #io: { write(b: Uint8Array): Promise<number> };
  readonly #reader: LineReader;
  #closed = false;

  private constructor(conn: Deno.TcpConn, timeoutMs: number, transcript?: Transcript) {
    this.#conn = conn;
    const io = transcript ? tap(conn, transcript, "client", "server") : conn;
    this.#io = io;
    this.#reader = new LineReader(io, { maxLineLength: 4096, idleTimeoutMs: timeoutMs });
  }

  /** Connect to `port` on 127.0.0.1; each later read waits at most `timeoutMs` (default 5000). */
  static async open(
    port: number,
    options: { timeoutMs?: number; transcript?: Transcript } = {},
  ): Promise<RawConnection> {
    const timeoutMs = options.timeoutMs ?? 5000;
    return new RawConnection(
      await connectLoopback(port, { timeoutMs }),
      timeoutMs,
      options.transcript,
    );
  }

  /** Send text exactly as given (no CRLF added, nothing checked). */
  async write(text: string | Uint8Array): Promise<void> {
    await writeAll(this.#io, typeof text === "string" ? encoder.encode(text) : text);
  }

  /** Read one whole reply. Throws if the server closed first. */
  async readReply(): Promise<Reply> {
    const collector = new ReplyCollector();
    while (true) {
      const line = await this.#reader.readLine();
      if (line === null) throw new Error("Cannot read reply: the server closed the connection");
      const reply = collector.push(line.text);
      if (reply) return reply;
    }
  }

  /** Read `count` replies (after pipelined commands). */
  async readReplies(count: number): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < count; i++) out.push(await this.readReply());
    return out;
  }

  /** Send one line (CRLF added) and read its reply. */
  async command(line: string): Promise<Reply> {
    await this.write(line + "\r\n");
    return await this.readReply();
  }

  /** Wait for the server to close; true if it did (anything it still sent is skipped). */
  async closedByServer(): Promise<boolean> {
    while (true) {
      try {
        if ((await this.#reader.readLine()) === null) return true;
      } catch (error) {
        if (error instanceof IdleTimeoutError) return false;
        return true; // reset by the peer: closed as well
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#conn);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
