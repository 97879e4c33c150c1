/**
 * A POP3 client, layered the way Python's poplib is: put a line, put a command, get a
 * status line, get a multi-line response; then one public method per verb.
 *
 * Every read has a deadline, arguments with CR or LF are refused (no command injection),
 * and a `Transcript` can record the whole dialogue for the notebook.
 *
 * @module
 */

import { closeQuietly, connectLoopback, LineReader, writeAll } from "../net/mod.ts";
import { createHash } from "node:crypto";
import { type Duplex, tap, type Transcript } from "../transcript/transcript.ts";
import { formatCommand } from "./command.ts";
import { joinLines, unstuffLine } from "./multiline.ts";
import { parseStatus, type StatusLine } from "./status.ts";

/** A `-ERR` answer, carrying the command and the status line. */
export class Pop3Error extends Error {
  readonly status: StatusLine;
  readonly command: string;
  constructor(command: string, status: StatusLine) {
    super(
      `${command} failed: -ERR ${status.code ? `[${status.code}] ` : ""}${status.text}`,
    );
    this.name = "Pop3Error";
    this.status = status;
    this.command = command;
  }
}

/** Options for {@linkcode Pop3Client.connect}. */
export interface Pop3ClientOptions {
  /** Deadline for connecting and for each read, in ms. Default 5000. */
  timeoutMs?: number;
  /** Record every byte both ways. */
  transcript?: Transcript;
  /** Longest line accepted from the server. Default 65536 (message lines can be long). */
  maxLineLength?: number;
}

/** One line of a LIST or UIDL listing. */
export interface ListingEntry<T> {
  number: number;
  value: T;
}

const encoder = new TextEncoder();

/**
 * A POP3 client on 127.0.0.1.
 *
 * @example Log in, count and leave
 * ```ts
 * import { MemoryStore } from "./backend.ts";
 * import { servePop3 } from "./server.ts";
 * import { Pop3Client } from "./client.ts";
 * const store = new MemoryStore();
 * store.add("alice", new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await using server = servePop3({ store, users: new Map([["alice", "secret"]]) });
 * await using client = await Pop3Client.connect(server.port);
 * await client.login("alice", "secret");
 * const { count } = await client.stat();
 * await client.quit();
 * if (count !== 1) throw new Error("unexpected");
 * ```
 */
export class Pop3Client implements AsyncDisposable {
  /** The server's greeting line. */
  readonly greeting: string;
  /** The APOP timestamp from the greeting, if it had one (RFC 1939 7). */
  readonly timestamp: string | undefined;
  readonly #conn: Deno.TcpConn;
  readonly #io: Duplex;
  readonly #reader: LineReader;
  #closed = false;

  private constructor(
    conn: Deno.TcpConn,
    greeting: string,
    reader: LineReader,
    io: Duplex,
  ) {
    this.#conn = conn;
    this.#io = io;
    this.#reader = reader;
    this.greeting = greeting;
    this.timestamp = /<[^<>]*@[^<>]*>/.exec(greeting)?.[0];
  }

  /** Connect to a POP3 server on 127.0.0.1 and read its greeting. */
  static async connect(port: number, options: Pop3ClientOptions = {}): Promise<Pop3Client> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const conn = await connectLoopback(port, { timeoutMs });
    try {
      const io = options.transcript ? tap(conn, options.transcript, "client", "server") : conn;
      const reader = new LineReader(io, {
        maxLineLength: options.maxLineLength ?? 65536,
        idleTimeoutMs: timeoutMs,
      });
      const line = await reader.readLine();
      if (line === null) throw new Error("Cannot read greeting: the server closed the connection");
      const status = parseStatus(line.text);
      if (!status.ok) throw new Pop3Error("greeting", status);
      return new Pop3Client(conn, line.text, reader, io);
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  // The layers -------------------------------------------------------------------------

  async #putLine(line: string): Promise<void> {
    await writeAll(this.#io, encoder.encode(line + "\r\n"));
  }

  async #putCommand(verb: string, ...args: (string | number)[]): Promise<string> {
    const line = formatCommand(verb, ...args);
    await this.#putLine(line);
    return verb === "PASS" ? "PASS" : line;
  }

  async #getLine(): Promise<Uint8Array> {
    let line;
    try {
      // The reader bounds each read by the timeout; a line already received costs no timer.
      line = await this.#reader.readLine();
    } catch (error) {
      this.close(); // the reader is mid-read and unusable
      throw error;
    }
    if (line === null) throw new Error("Cannot read response: the server closed the connection");
    return line.bytes;
  }

  /** One command, its status line; throws {@linkcode Pop3Error} on -ERR. */
  async #command(verb: string, ...args: (string | number)[]): Promise<StatusLine> {
    const sent = await this.#putCommand(verb, ...args);
    const status = parseStatus(new TextDecoder().decode(await this.#getLine()));
    if (!status.ok) throw new Pop3Error(sent, status);
    return status;
  }

  /** The lines of a multi-line response, un-stuffed, up to the terminating ".". */
  async #getLongLines(): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    while (true) {
      const line = unstuffLine(await this.#getLine());
      if (line === null) return lines;
      lines.push(line);
    }
  }

  async #textLines(): Promise<string[]> {
    const decoder = new TextDecoder();
    return (await this.#getLongLines()).map((l) => decoder.decode(l));
  }

  // The verbs (RFC 1939 4 to 7, RFC 2449 5) --------------------------------------------

  /** CAPA: the server's capabilities, one per line (RFC 2449 5). */
  async capa(): Promise<string[]> {
    await this.#command("CAPA");
    return await this.#textLines();
  }

  /** USER name. */
  async user(name: string): Promise<StatusLine> {
    return await this.#command("USER", name);
  }

  /** PASS password; enters TRANSACTION. */
  async pass(password: string): Promise<StatusLine> {
    return await this.#command("PASS", password);
  }

  /** USER then PASS. */
  async login(name: string, password: string): Promise<StatusLine> {
    await this.user(name);
    return await this.pass(password);
  }

  /** APOP name digest, digest = MD5(timestamp + secret) (RFC 1939 7). */
  async apop(name: string, secret: string): Promise<StatusLine> {
    if (!this.timestamp) throw new Error("Cannot use APOP: the greeting has no timestamp");
    const digest = createHash("md5").update(this.timestamp + secret).digest("hex");
    return await this.#command("APOP", name, digest);
  }

  /** STAT: messages not marked deleted, and their total size. */
  async stat(): Promise<{ count: number; size: number }> {
    const { text } = await this.#command("STAT");
    const [count, size] = text.split(" ").map(Number);
    if (!Number.isInteger(count) || !Number.isInteger(size)) {
      throw new Error(`Cannot parse STAT response: ${JSON.stringify(text)}`);
    }
    return { count, size };
  }

  /** LIST: every message's size; LIST n: one message's size. */
  async list(): Promise<ListingEntry<number>[]>;
  async list(n: number): Promise<ListingEntry<number>>;
  async list(n?: number): Promise<ListingEntry<number> | ListingEntry<number>[]> {
    if (n !== undefined) return parseListing((await this.#command("LIST", n)).text, Number);
    await this.#command("LIST");
    return (await this.#textLines()).map((line) => parseListing(line, Number));
  }

  /** UIDL: every message's unique id; UIDL n: one (RFC 1939 7). */
  async uidl(): Promise<ListingEntry<string>[]>;
  async uidl(n: number): Promise<ListingEntry<string>>;
  async uidl(n?: number): Promise<ListingEntry<string> | ListingEntry<string>[]> {
    if (n !== undefined) return parseListing((await this.#command("UIDL", n)).text, String);
    await this.#command("UIDL");
    return (await this.#textLines()).map((line) => parseListing(line, String));
  }

  /** RETR n: the message, each line ending in CRLF. */
  async retr(n: number): Promise<Uint8Array> {
    await this.#command("RETR", n);
    return joinLines(await this.#getLongLines());
  }

  /** TOP n lines: the header and the first `lines` lines of the body (RFC 1939 7). */
  async top(n: number, lines: number): Promise<Uint8Array> {
    await this.#command("TOP", n, lines);
    return joinLines(await this.#getLongLines());
  }

  /** DELE n: mark for deletion (removed in UPDATE, after QUIT). */
  async dele(n: number): Promise<StatusLine> {
    return await this.#command("DELE", n);
  }

  /** NOOP. */
  async noop(): Promise<StatusLine> {
    return await this.#command("NOOP");
  }

  /** RSET: unmark every message. */
  async rset(): Promise<StatusLine> {
    return await this.#command("RSET");
  }

  /** QUIT: the server enters UPDATE, removes marked messages and closes. */
  async quit(): Promise<StatusLine> {
    try {
      return await this.#command("QUIT");
    } finally {
      this.close();
    }
  }

  /** Close the connection without QUIT: the server removes nothing (RFC 1939 6). */
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

/**
 * One line within `ms`. The reader's idle timeout alone never fires while a server keeps
 * sending a line without end; this deadline does (the caller then closes the connection).
 */
/** Parse "n value" (a LIST or UIDL line, or the text of a single-message answer). */
export function parseListing<T>(line: string, convert: (text: string) => T): ListingEntry<T> {
  const match = /^([0-9]+) (\S+)/.exec(line);
  if (!match) throw new Error(`Cannot parse listing line: ${JSON.stringify(line)}`);
  return { number: Number(match[1]), value: convert(match[2]) };
}
