/**
 * An SMTP client: the sending side. It connects to the receiving server and pushes the
 * message to it (RFC 5321 2.3: the "SMTP client" is whoever sends, even when it is itself a
 * server relaying mail onward).
 *
 * Methods are the verbs (`ehlo`, `auth`, `mail`, `rcpt`, `data`, `quit`), each expecting
 * one reply code as Go's net/smtp does; {@linkcode SmtpClient.send} runs a whole
 * transaction, and pipelines MAIL, RCPT and DATA in one write when the server offers
 * PIPELINING (RFC 2920). Every argument is checked for CR and LF before it is sent, so
 * nothing a caller passes can inject a command. Every read has a deadline.
 *
 * @module
 */

import { closeQuietly, connectLoopback, LineReader, LineWriter, withTimeout } from "../net/mod.ts";
import { tap, type Transcript } from "../transcript/transcript.ts";
import { checkClientText, formatPathCommand } from "./command.ts";
import { encodeDataBlock } from "./data.ts";
import { SmtpReplyError, type SmtpStep } from "./error.ts";
import { type Reply, ReplyCollector } from "./reply.ts";

/** Options for {@linkcode SmtpClient.connect}. */
export interface ClientOptions {
  /** Deadline for connecting and for each reply, in ms. Default 10000. */
  timeoutMs?: number;
  /** Record every byte both ways. */
  transcript?: Transcript;
  /** Names for the two ends in the transcript. Default "client" and "server". */
  names?: [local: string, remote: string];
}

/** What one transaction achieved. */
export interface SendResult {
  /** Recipients the server accepted (RCPT 250/251). */
  accepted: string[];
  /** Recipients it refused, with the reply. */
  rejected: { address: string; reply: Reply }[];
  /** The final reply to the message (250 ... queued as ...). */
  reply: Reply;
  /** How many times the client waited for the server (round trips) in this transaction. */
  roundTrips: number;
  /** Whether MAIL, RCPT and DATA were pipelined. */
  pipelined: boolean;
}

/** An envelope and a message. */
export interface Outgoing {
  from: string;
  to: string[];
  /** The RFC 5322 message (headers, blank line, body). Line endings are made CRLF. */
  data: Uint8Array | string;
}

const encoder = new TextEncoder();

/**
 * One connection to an SMTP server on 127.0.0.1.
 *
 * @example Send a message to a course server
 * ```ts
 * import { SmtpClient } from "./client.ts";
 * import { serveSmtp } from "./server.ts";
 * import { MemoryMailStore } from "./backend.ts";
 * const store = new MemoryMailStore();
 * await using server = serveSmtp({ store, users: new Map([["bob", "pw"]]), domains: ["mx.test"] });
 * await using client = await SmtpClient.connect(server.port);
 * await client.ehlo("pc.test");
 * await client.send({ from: "al@pc.test", to: ["bob@mx.test"], data: "Subject: hi\r\n\r\nhello\r\n" });
 * await client.quit();
 * if (store.messages("bob").length !== 1) throw new Error("not delivered");
 * ```
 */
export class SmtpClient implements AsyncDisposable {
  readonly #conn: Deno.TcpConn;
  readonly #reader: LineReader;
  readonly #writer: LineWriter;
  readonly #timeoutMs: number;
  #closed = false;
  /** The server's 220 greeting. */
  greeting!: Reply;
  /** Extensions from the EHLO reply: keyword (upper case) to its parameters. */
  readonly extensions = new Map<string, string>();
  /** Round trips so far on this connection. */
  roundTrips = 0;

  private constructor(conn: Deno.TcpConn, options: ClientOptions) {
    this.#conn = conn;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const [local, remote] = options.names ?? ["client", "server"];
    const io = options.transcript ? tap(conn, options.transcript, local, remote) : conn;
    this.#reader = new LineReader(io, { maxLineLength: 2048, idleTimeoutMs: this.#timeoutMs });
    this.#writer = new LineWriter(io);
  }

  /**
   * Connect to `port` on 127.0.0.1 and read the greeting.
   *
   * @throws {SmtpReplyError} the server greeted with something other than 220 (e.g. 554,
   *   "no SMTP service here", RFC 5321 3.1).
   */
  static async connect(port: number, options: ClientOptions = {}): Promise<SmtpClient> {
    const conn = await connectLoopback(port, { timeoutMs: options.timeoutMs ?? 10_000 });
    const client = new SmtpClient(conn, options);
    try {
      client.greeting = await client.#readReply();
      client.roundTrips++;
      if (client.greeting.code !== 220) throw new SmtpReplyError("greeting", "", client.greeting);
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /**
   * Read one whole reply (all its lines) within the deadline. The reader's idle timeout
   * alone is not enough: a server that never ends its line keeps it busy forever (RFC 5321
   * 4.5.3.2 asks for a timer per command). A missed deadline closes the connection.
   */
  async #readReply(): Promise<Reply> {
    const collecting = this.#collectReply();
    collecting.catch(() => {}); // settles after close() when the deadline won
    try {
      return await withTimeout(collecting, this.#timeoutMs, "the server's reply");
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async #collectReply(): Promise<Reply> {
    const collector = new ReplyCollector();
    while (true) {
      const line = await this.#reader.readLine();
      if (line === null) throw new Error("Cannot read reply: the server closed the connection");
      const reply = collector.push(line.text);
      if (reply) return reply;
    }
  }

  /** Send one command line and check its reply code (textproto's `Cmd` + `ReadResponse`). */
  async cmd(step: SmtpStep, expect: number | number[], line: string): Promise<Reply> {
    checkClientText(`${step} command`, line);
    await this.#writer.writeLine(line);
    this.roundTrips++;
    const reply = await this.#readReply();
    const ok = Array.isArray(expect) ? expect.includes(reply.code) : reply.code === expect;
    if (!ok) throw new SmtpReplyError(step, line, reply);
    return reply;
  }

  /**
   * Say EHLO and learn the extensions; fall back to HELO when EHLO is refused with 5yz
   * (RFC 5321 3.2).
   */
  async ehlo(name = "localhost"): Promise<Reply> {
    checkClientText("EHLO name", name);
    if (!/^[\x21-\x7e]+$/.test(name)) {
      throw new TypeError(`Cannot send EHLO: bad name ${JSON.stringify(name)}`);
    }
    this.extensions.clear();
    try {
      const reply = await this.cmd("EHLO", 250, `EHLO ${name}`);
      for (const line of reply.lines.slice(1)) {
        const [keyword, ...rest] = line.split(" ");
        this.extensions.set(keyword.toUpperCase(), rest.join(" "));
      }
      return reply;
    } catch (error) {
      if (error instanceof SmtpReplyError && error.permanent) {
        return await this.cmd("HELO", 250, `HELO ${name}`);
      }
      throw error;
    }
  }

  /** True when the EHLO reply listed `keyword`. */
  supports(keyword: string): boolean {
    return this.extensions.has(keyword.toUpperCase());
  }

  /**
   * Authenticate with PLAIN (one line, RFC 4616) or LOGIN (two challenges).
   * The credentials are only base64-encoded: anyone who sees the bytes can read them.
   *
   * @throws {TypeError} the server does not offer the mechanism, or the text has CR/LF/NUL.
   */
  async auth(username: string, password: string, mechanism?: "PLAIN" | "LOGIN"): Promise<Reply> {
    checkClientText("AUTH username", username);
    checkClientText("AUTH password", password);
    const offered = (this.extensions.get("AUTH") ?? "").toUpperCase().split(" ");
    const chosen = mechanism ?? (offered.includes("PLAIN") ? "PLAIN" : "LOGIN");
    if (!offered.includes(chosen)) {
      throw new TypeError(
        `Cannot AUTH ${chosen}: the server offers ${offered.join(" ") || "no AUTH"}`,
      );
    }
    if (chosen === "PLAIN") {
      return await this.cmd("AUTH", 235, `AUTH PLAIN ${base64(`\0${username}\0${password}`)}`);
    }
    await this.cmd("AUTH", 334, "AUTH LOGIN");
    await this.cmd("AUTH", 334, base64(username));
    return await this.cmd("AUTH", 235, base64(password));
  }

  /** `MAIL FROM:<from>` with parameters (SIZE, BODY). */
  async mail(from: string, params: Record<string, string | true> = {}): Promise<Reply> {
    return await this.cmd("MAIL", 250, formatPathCommand("MAIL", from, params));
  }

  /** `RCPT TO:<to>`; 251 (will forward) counts as accepted. */
  async rcpt(to: string): Promise<Reply> {
    return await this.cmd("RCPT", [250, 251], formatPathCommand("RCPT", to));
  }

  /** `DATA`, then the dot-stuffed message; returns the final 250 reply. */
  async data(message: Uint8Array | string): Promise<Reply> {
    await this.cmd("DATA", 354, "DATA");
    return await this.#sendBlock(message);
  }

  async #sendBlock(message: Uint8Array | string): Promise<Reply> {
    const bytes = typeof message === "string" ? encoder.encode(message) : message;
    await this.#writer.writeBytes(encodeDataBlock(bytes));
    this.roundTrips++;
    const reply = await this.#readReply();
    if (reply.code !== 250) throw new SmtpReplyError("message", "the message (end of DATA)", reply);
    return reply;
  }

  /** `RSET`: abandon the transaction. */
  rset(): Promise<Reply> {
    return this.cmd("RSET", 250, "RSET");
  }

  /** `NOOP`. */
  noop(): Promise<Reply> {
    return this.cmd("NOOP", 250, "NOOP");
  }

  /** `QUIT`, then close. */
  async quit(): Promise<Reply> {
    try {
      return await this.cmd("QUIT", 221, "QUIT");
    } finally {
      this.close();
    }
  }

  /**
   * Run one transaction: MAIL, RCPT for each recipient, DATA and the message. With
   * PIPELINING offered (and `pipelining` not false) MAIL, every RCPT and DATA leave in one
   * write and their replies are read together (RFC 2920 3.1): two round trips instead of
   * 3 + recipients. Refused recipients are reported, not fatal, unless all are refused.
   *
   * @throws {SmtpReplyError} MAIL refused, every recipient refused, DATA or the message refused.
   */
  async send(
    message: Outgoing,
    options: { pipelining?: boolean; params?: Record<string, string | true> } = {},
  ): Promise<SendResult> {
    if (message.to.length === 0) throw new TypeError("Cannot send: no recipients");
    const start = this.roundTrips;
    const bytes = typeof message.data === "string" ? encoder.encode(message.data) : message.data;
    const params: Record<string, string | true> = { ...options.params };
    if (this.supports("SIZE")) params.SIZE = String(bytes.length);
    if (this.supports("8BITMIME") && bytes.some((b) => b > 127)) params.BODY = "8BITMIME";
    const pipelined = options.pipelining !== false && this.supports("PIPELINING");
    const accepted: string[] = [];
    const rejected: SendResult["rejected"] = [];
    const mailLine = formatPathCommand("MAIL", message.from, params);
    const rcptLines = message.to.map((to) => formatPathCommand("RCPT", to));
    let dataReply: Reply;
    if (pipelined) {
      await this.#writer.writeLines([mailLine, ...rcptLines, "DATA"]);
      this.roundTrips++;
      const mailReply = await this.#readReply();
      for (const to of message.to) {
        const r = await this.#readReply();
        if (r.code === 250 || r.code === 251) accepted.push(to);
        else rejected.push({ address: to, reply: r });
      }
      dataReply = await this.#readReply();
      if (mailReply.code !== 250) {
        if (dataReply.code === 354) await this.#abandonData();
        throw new SmtpReplyError("MAIL", mailLine, mailReply);
      }
      if (accepted.length === 0) {
        // RFC 2920 3.1: a server may still say 354; end the empty message and give up.
        if (dataReply.code === 354) await this.#abandonData();
        throw new SmtpReplyError("RCPT", rcptLines[0], rejected[0].reply);
      }
      if (dataReply.code !== 354) throw new SmtpReplyError("DATA", "DATA", dataReply);
    } else {
      await this.cmd("MAIL", 250, mailLine);
      for (const [i, to] of message.to.entries()) {
        try {
          await this.cmd("RCPT", [250, 251], rcptLines[i]);
          accepted.push(to);
        } catch (error) {
          if (!(error instanceof SmtpReplyError)) throw error;
          rejected.push({ address: to, reply: error.reply });
        }
      }
      if (accepted.length === 0) {
        await this.rset();
        throw new SmtpReplyError("RCPT", rcptLines[0], rejected[0].reply);
      }
      dataReply = await this.cmd("DATA", 354, "DATA");
    }
    const reply = await this.#sendBlock(bytes);
    return { accepted, rejected, reply, roundTrips: this.roundTrips - start, pipelined };
  }

  async #abandonData(): Promise<void> {
    await this.#writer.writeLine(".");
    await this.#readReply();
  }

  /** Close the connection without QUIT. Safe to call twice. */
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

/** Base64 of UTF-8 text (what AUTH sends: an encoding, not encryption). */
export function base64(text: string): string {
  const bytes = encoder.encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Options for {@linkcode sendMail}. */
export interface SendMailOptions extends ClientOptions, Outgoing {
  /** The port of the server on 127.0.0.1. */
  port: number;
  /** Our name in EHLO. Default "localhost". */
  heloName?: string;
  /** Credentials for AUTH (RFC 4954), e.g. for submission. */
  auth?: { username: string; password: string; mechanism?: "PLAIN" | "LOGIN" };
  /** Pipeline when offered. Default true. */
  pipelining?: boolean;
}

/**
 * Connect, EHLO, AUTH if asked, send one message, QUIT.
 *
 * @example
 * ```ts ignore
 * const result = await sendMail({ port: 2525, from: "al@pc.test", to: ["bob@mx.test"], data: "Subject: x\r\n\r\nhi\r\n" });
 * ```
 */
export async function sendMail(options: SendMailOptions): Promise<SendResult> {
  await using client = await SmtpClient.connect(options.port, options);
  await client.ehlo(options.heloName ?? "localhost");
  if (options.auth) {
    await client.auth(options.auth.username, options.auth.password, options.auth.mechanism);
  }
  const result = await client.send(options, { pipelining: options.pipelining });
  await client.quit();
  return result;
}
