/**
 * An IMAP client: tagged commands, responses with literals, and a transcript.
 *
 * Methods are the verbs (`login`, `select`, `fetch`, `search`, `store`, `append`,
 * `idle`...), each a thin layer over {@linkcode ImapClient.command}, which tags a command,
 * sends it (waiting for `+` before each synchronizing literal, RFC 3501 7.5), collects
 * untagged responses and returns with the tagged completion. Every step has a deadline.
 * Raw text arguments containing CR or LF are refused: that is how command injection
 * happens.
 *
 * @example Against our own server
 * ```ts
 * import { ImapClient } from "./client.ts";
 * import { serveImap } from "./server.ts";
 * import { MailStore } from "../maildir/mod.ts";
 * const root = await Deno.makeTempDir();
 * {
 *   await using server = serveImap({ store: new MailStore(root), users: new Map([["alice", "pw"]]) });
 *   await using client = await ImapClient.connect(server.port);
 *   await client.login("alice", "pw");
 *   const box = await client.select("INBOX");
 *   if (box.exists !== 0) throw new Error("unexpected");
 *   await client.logout();
 * }
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */

import { closeQuietly, connectLoopback, withTimeout, writeAll } from "../net/mod.ts";
import { tap, Transcript } from "../transcript/transcript.ts";
import { compile } from "./compiler.ts";
import { LIMITS } from "./constants.ts";
import { FrameReader } from "./framing.ts";
import { type ImapResponse, parseResponse } from "./response.ts";
import { decodeMailboxName, encodeMailboxName } from "./utf7.ts";
import { atom, type ImapValue, list, literal, numberOf, str, textOf } from "./values.ts";

/** A NO or BAD completion, or a BYE. */
export class ImapCommandError extends Error {
  readonly status: string;
  readonly response: ImapResponse;
  constructor(command: string, response: ImapResponse) {
    const code = response.code
      ? `[${response.code.name}${response.code.text ? " " + response.code.text : ""}] `
      : "";
    super(`IMAP ${command} failed: ${response.type} ${code}${response.text ?? ""}`);
    this.name = "ImapCommandError";
    this.status = response.type;
    this.response = response;
  }
}

/** A tagged completion with the untagged responses that came before it. */
export interface CommandReply {
  status: string;
  code?: { name: string; text: string };
  text: string;
  untagged: ImapResponse[];
}

/** Options for {@linkcode ImapClient.connect}. */
export interface ImapClientOptions {
  /** Deadline for connecting and for each command, in ms. Default 10000. */
  timeoutMs?: number;
  /** Record the session here (default: a fresh transcript, see `client.transcript`). */
  transcript?: Transcript;
  /** Largest literal accepted from the server. Default LIMITS.clientMaxLiteralSize (64 MiB). */
  maxLiteralSize?: number;
  /** Use `{n+}` when the server offers LITERAL+. Default true. */
  literalPlus?: boolean;
}

/** What SELECT and EXAMINE report (RFC 3501 6.3.1). */
export interface SelectResult {
  exists: number;
  recent: number;
  uidValidity: number;
  uidNext: number;
  unseen?: number;
  flags: string[];
  permanentFlags: string[];
  readOnly: boolean;
}

/** One message's FETCH data. */
export interface FetchResult {
  seq: number;
  uid?: number;
  flags?: string[];
  size?: number;
  internalDate?: string;
  envelope?: ImapValue;
  bodyStructure?: ImapValue;
  /** BODY[...] data by the name the server answered with, e.g. "BODY[HEADER]" or "BODY[]<0>". */
  sections: Map<string, Uint8Array | null>;
}

/** One LIST entry. */
export interface ListEntry {
  name: string;
  delimiter: string | null;
  attributes: string[];
}

const encoder = new TextEncoder();

/** Turn FETCH's `(name value ...)` list into a {@linkcode FetchResult}. */
export function fetchResult(response: ImapResponse): FetchResult {
  const out: FetchResult = { seq: response.number ?? 0, sections: new Map() };
  const items = response.values[0]?.type === "list" ? response.values[0].items : [];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i], value = items[i + 1];
    if (key.type !== "atom") continue;
    const name = key.value.toUpperCase();
    if (key.section) {
      const label = compile([key])[0].text.replace(/\r\n$/, "");
      out.sections.set(
        label.replace(/^[^[]*/, "BODY").toUpperCase(),
        value.type === "literal"
          ? value.value
          : value.type === "nil"
          ? null
          : encoder.encode(textOf(value) ?? ""),
      );
      continue;
    }
    switch (name) {
      case "UID":
        out.uid = numberOf(value) ?? undefined;
        break;
      case "FLAGS":
        out.flags = value.type === "list" ? value.items.map((v) => textOf(v) ?? "") : [];
        break;
      case "RFC822.SIZE":
        out.size = numberOf(value) ?? undefined;
        break;
      case "INTERNALDATE":
        out.internalDate = textOf(value) ?? undefined;
        break;
      case "ENVELOPE":
        out.envelope = value;
        break;
      case "BODYSTRUCTURE":
      case "BODY":
        out.bodyStructure = value;
        break;
      default:
        out.sections.set(
          name,
          value.type === "literal"
            ? value.value
            : value.type === "nil"
            ? null
            : encoder.encode(textOf(value) ?? ""),
        );
    }
  }
  return out;
}

/**
 * One result per message: a server may send several FETCH responses for the same message
 * (an unsolicited one with new FLAGS before the data asked for, RFC 3501 7.4.2), and
 * their items add up.
 *
 * @example
 * ```ts
 * import { mergeFetches } from "./client.ts";
 * const merged = mergeFetches([
 *   { seq: 1, flags: ["\\Seen"], sections: new Map() },
 *   { seq: 1, sections: new Map([["BODY[1]", new Uint8Array([104, 105])]]) },
 * ]);
 * if (merged.length !== 1 || !merged[0].flags || !merged[0].sections.has("BODY[1]")) throw new Error();
 * ```
 */
export function mergeFetches(results: readonly FetchResult[]): FetchResult[] {
  const bySeq = new Map<number, FetchResult>();
  for (const result of results) {
    const seen = bySeq.get(result.seq);
    if (!seen) {
      bySeq.set(result.seq, { ...result, sections: new Map(result.sections) });
      continue;
    }
    for (const [name, bytes] of result.sections) seen.sections.set(name, bytes);
    for (
      const key of ["uid", "flags", "size", "internalDate", "envelope", "bodyStructure"] as const
    ) {
      if (result[key] !== undefined) {
        (seen as unknown as Record<string, unknown>)[key] = result[key];
      }
    }
  }
  return [...bySeq.values()];
}

/** An IMAP client connection. `await using` closes it. */
export class ImapClient implements AsyncDisposable {
  /** Everything that crossed the connection. */
  readonly transcript: Transcript;
  /** The server's greeting. */
  greeting!: ImapResponse;
  /** Capabilities last announced (upper case). */
  capabilities = new Set<string>();
  /** Called with each untagged response as it arrives (IDLE updates, say). */
  onUntagged?: (response: ImapResponse) => void;
  readonly #conn: Deno.Conn;
  readonly #wire: { write(b: Uint8Array): Promise<number> };
  readonly #reader: FrameReader;
  readonly #timeoutMs: number;
  readonly #literalPlus: boolean;
  #nextTag = 1;
  #closed = false;
  /** Commands run one after another: a second caller waits for the first's completion. */
  #queue: Promise<unknown> = Promise.resolve();

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  private constructor(conn: Deno.Conn, options: ImapClientOptions) {
    this.#conn = conn;
    this.transcript = options.transcript ?? new Transcript();
    const wire = tap(conn, this.transcript, "client", "server");
    this.#wire = wire;
    this.#reader = new FrameReader(wire, {
      maxLineLength: LIMITS.clientMaxLineLength,
      maxLiteralSize: options.maxLiteralSize ?? LIMITS.clientMaxLiteralSize,
    });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#literalPlus = options.literalPlus ?? true;
  }

  /** Connect to a server on 127.0.0.1 and read its greeting. */
  static async connect(port: number, options: ImapClientOptions = {}): Promise<ImapClient> {
    const conn = await connectLoopback(port, { timeoutMs: options.timeoutMs ?? 10_000 });
    const client = new ImapClient(conn, options);
    try {
      client.greeting = await withTimeout(client.#read(), client.#timeoutMs, "the IMAP greeting");
      if (client.greeting.type === "BYE") throw new ImapCommandError("greeting", client.greeting);
      client.#learnCapabilities(client.greeting);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  async #read(): Promise<ImapResponse> {
    const frame = await this.#reader.readFrame();
    if (frame === null) {
      throw new Error("Cannot read IMAP response: the server closed the connection");
    }
    return parseResponse(frame);
  }

  #learnCapabilities(response: ImapResponse): void {
    let words: string[] | null = null;
    if (response.code?.name === "CAPABILITY") words = response.code.text.split(" ");
    if (response.type === "CAPABILITY" && response.tag === "*") {
      words = response.values.map((v) => textOf(v) ?? "");
    }
    if (words) this.capabilities = new Set(words.filter(Boolean).map((w) => w.toUpperCase()));
  }

  /**
   * Send a command and wait for its completion. Arguments that are strings are written
   * as they are (atoms, sequence sets, `(FLAGS BODY[])`); pass values from values.ts to
   * have strings quoted or sent as literals.
   *
   * @throws {ImapCommandError} on NO or BAD (unless `allowFailure`).
   */
  async command(
    name: string,
    args: readonly (string | ImapValue)[] = [],
    options: { allowFailure?: boolean } = {},
  ): Promise<CommandReply> {
    for (const arg of [name, ...args]) {
      if (typeof arg === "string" && /[\r\n]/.test(arg)) {
        throw new TypeError(
          `Cannot send IMAP command: argument contains CR or LF: ${JSON.stringify(arg)}`,
        );
      }
    }
    return await this.#serial(() => this.#command(name, args, options));
  }

  async #command(
    name: string,
    args: readonly (string | ImapValue)[],
    options: { allowFailure?: boolean },
  ): Promise<CommandReply> {
    const tag = `A${String(this.#nextTag++).padStart(3, "0")}`;
    const values = [atom(tag), atom(name), ...args.map((a) => typeof a === "string" ? atom(a) : a)];
    const plus = this.#literalPlus && this.capabilities.has("LITERAL+");
    const pieces = compile(values, { literalPlus: plus });
    return await withTimeout(
      this.#run(name, tag, pieces, plus, options.allowFailure ?? false),
      this.#timeoutMs,
      `the reply to ${name}`,
    );
  }

  async #run(
    name: string,
    tag: string,
    pieces: ReturnType<typeof compile>,
    plus: boolean,
    allowFailure: boolean,
  ): Promise<CommandReply> {
    const untagged: ImapResponse[] = [];
    for (const piece of pieces) {
      await writeAll(this.#wire, encoder.encode(piece.text));
      if (!piece.literal) continue;
      if (!plus) {
        // RFC 3501 7.5: wait for "+" before sending a synchronizing literal.
        while (true) {
          const response = await this.#read();
          if (response.tag === "+") break;
          if (response.tag === tag) return this.#complete(name, response, untagged, allowFailure);
          this.#untagged(response, untagged);
        }
      }
      await writeAll(this.#wire, piece.literal);
    }
    while (true) {
      const response = await this.#read();
      if (response.tag === tag) return this.#complete(name, response, untagged, allowFailure);
      if (response.tag === "+") continue; // e.g. a stray continuation
      this.#untagged(response, untagged);
    }
  }

  #untagged(response: ImapResponse, into: ImapResponse[]): void {
    this.#learnCapabilities(response);
    into.push(response);
    this.onUntagged?.(response);
  }

  #complete(
    name: string,
    response: ImapResponse,
    untagged: ImapResponse[],
    allowFailure: boolean,
  ): CommandReply {
    this.#learnCapabilities(response);
    if (response.type !== "OK" && !allowFailure) throw new ImapCommandError(name, response);
    return { status: response.type, code: response.code, text: response.text ?? "", untagged };
  }

  /** CAPABILITY (RFC 3501 6.1.1). */
  async capability(): Promise<Set<string>> {
    await this.command("CAPABILITY");
    return this.capabilities;
  }

  /** NOOP: lets the server report changes (RFC 3501 6.1.2). */
  async noop(): Promise<ImapResponse[]> {
    return (await this.command("NOOP")).untagged;
  }

  /** LOGIN (RFC 3501 6.2.3). */
  async login(user: string, password: string): Promise<void> {
    await this.command("LOGIN", [str(user), str(password)]);
  }

  /** AUTHENTICATE PLAIN with an initial response (RFC 4616, RFC 4959). */
  async authenticatePlain(user: string, password: string): Promise<void> {
    const bytes = encoder.encode(`\0${user}\0${password}`);
    await this.command("AUTHENTICATE", ["PLAIN", btoa(String.fromCharCode(...bytes))]);
  }

  /** LIST (RFC 3501 6.3.8); names decoded from modified UTF-7. */
  async list(reference = "", pattern = "*"): Promise<ListEntry[]> {
    const reply = await this.command("LIST", [str(reference), str(pattern)]);
    return reply.untagged.filter((r) => r.type === "LIST").map((r) => ({
      attributes: r.values[0]?.type === "list" ? r.values[0].items.map((v) => textOf(v) ?? "") : [],
      delimiter: textOf(r.values[1]),
      name: decodeMailboxName(textOf(r.values[2]) ?? ""),
    }));
  }

  /** SELECT or EXAMINE (RFC 3501 6.3.1, 6.3.2). */
  async select(mailbox: string, options: { readOnly?: boolean } = {}): Promise<SelectResult> {
    const reply = await this.command(options.readOnly ? "EXAMINE" : "SELECT", [
      str(encodeMailboxName(mailbox)),
    ]);
    const result: SelectResult = {
      exists: 0,
      recent: 0,
      uidValidity: 0,
      uidNext: 0,
      flags: [],
      permanentFlags: [],
      readOnly: reply.code?.name === "READ-ONLY",
    };
    for (const r of reply.untagged) {
      if (r.type === "EXISTS") result.exists = r.number ?? 0;
      if (r.type === "RECENT") result.recent = r.number ?? 0;
      if (r.type === "FLAGS") {
        result.flags = r.values[0]?.type === "list"
          ? r.values[0].items.map((v) => textOf(v) ?? "")
          : [];
      }
      if (r.code?.name === "UIDVALIDITY") result.uidValidity = Number(r.code.text);
      if (r.code?.name === "UIDNEXT") result.uidNext = Number(r.code.text);
      if (r.code?.name === "UNSEEN") result.unseen = Number(r.code.text);
      if (r.code?.name === "PERMANENTFLAGS") {
        result.permanentFlags = r.code.text.replace(/[()]/g, "").split(" ").filter(Boolean);
      }
    }
    return result;
  }

  /** CREATE (RFC 3501 6.3.3). */
  async create(mailbox: string): Promise<void> {
    await this.command("CREATE", [str(encodeMailboxName(mailbox))]);
  }

  /** STATUS (RFC 3501 6.3.10): e.g. { MESSAGES: 3, UNSEEN: 1 }. */
  async status(
    mailbox: string,
    items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"],
  ): Promise<Record<string, number>> {
    const reply = await this.command("STATUS", [
      str(encodeMailboxName(mailbox)),
      list(...items.map((i) => atom(i))),
    ]);
    const out: Record<string, number> = {};
    const data = reply.untagged.find((r) => r.type === "STATUS")?.values[1];
    if (data?.type === "list") {
      for (let i = 0; i + 1 < data.items.length; i += 2) {
        out[textOf(data.items[i])!.toUpperCase()] = numberOf(data.items[i + 1]) ?? 0;
      }
    }
    return out;
  }

  /** FETCH or UID FETCH (RFC 3501 6.4.5): `items` as written, e.g. "(FLAGS BODY.PEEK[HEADER])". */
  async fetch(set: string, items: string, options: { uid?: boolean } = {}): Promise<FetchResult[]> {
    const reply = await this.command(
      options.uid ? "UID" : "FETCH",
      options.uid ? ["FETCH", set, items] : [set, items],
    );
    return mergeFetches(reply.untagged.filter((r) => r.type === "FETCH").map(fetchResult));
  }

  /** SEARCH or UID SEARCH (RFC 3501 6.4.4): criteria as written, e.g. 'UNSEEN FROM "alice"'. */
  async search(criteria: string, options: { uid?: boolean } = {}): Promise<number[]> {
    const reply = await this.command(
      options.uid ? "UID" : "SEARCH",
      options.uid ? ["SEARCH", criteria] : [criteria],
    );
    return reply.untagged.filter((r) => r.type === "SEARCH").flatMap((r) =>
      r.values.map((v) => numberOf(v) ?? 0)
    );
  }

  /** STORE or UID STORE (RFC 3501 6.4.6): e.g. store("1", "+FLAGS", ["\\Seen"]). */
  async store(
    set: string,
    action: string,
    flags: string[],
    options: { uid?: boolean } = {},
  ): Promise<FetchResult[]> {
    const args = [set, action, list(...flags.map((f) => atom(f)))];
    const reply = await this.command(
      options.uid ? "UID" : "STORE",
      options.uid ? ["STORE", ...args] : args,
    );
    return mergeFetches(reply.untagged.filter((r) => r.type === "FETCH").map(fetchResult));
  }

  /** APPEND (RFC 3501 6.3.11); returns APPENDUID's UID when the server sends it (RFC 4315). */
  async append(
    mailbox: string,
    message: Uint8Array | string,
    options: { flags?: string[] } = {},
  ): Promise<{ uidValidity?: number; uid?: number }> {
    const bytes = typeof message === "string" ? encoder.encode(message) : message;
    const args: ImapValue[] = [str(encodeMailboxName(mailbox))];
    if (options.flags) args.push(list(...options.flags.map((f) => atom(f))));
    args.push(literal(bytes));
    const reply = await this.command("APPEND", args);
    if (reply.code?.name !== "APPENDUID") return {};
    const [validity, uid] = reply.code.text.split(" ").map(Number);
    return { uidValidity: validity, uid };
  }

  /** EXPUNGE (RFC 3501 6.4.3); returns the sequence numbers reported expunged. */
  async expunge(): Promise<number[]> {
    const reply = await this.command("EXPUNGE");
    return reply.untagged.filter((r) => r.type === "EXPUNGE").map((r) => r.number ?? 0);
  }

  /**
   * IDLE (RFC 2177): collect untagged updates until `until` returns true for one of them
   * or `timeoutMs` passes (default: the command deadline), then send DONE and return the
   * updates. The caller checks whether the update it waited for came.
   */
  idle(
    options: { until?: (r: ImapResponse) => boolean; timeoutMs?: number } = {},
  ): Promise<ImapResponse[]> {
    return this.#serial(() => this.#idle(options));
  }

  async #idle(
    options: { until?: (r: ImapResponse) => boolean; timeoutMs?: number },
  ): Promise<ImapResponse[]> {
    const tag = `A${String(this.#nextTag++).padStart(3, "0")}`;
    const updates: ImapResponse[] = [];
    const waitMs = options.timeoutMs ?? this.#timeoutMs;
    await writeAll(this.#wire, encoder.encode(`${tag} IDLE\r\n`));
    const first = await withTimeout(this.#read(), this.#timeoutMs, "the IDLE continuation");
    if (first.tag === tag) throw new ImapCommandError("IDLE", first);
    let done = false;
    const finish = () => {
      if (done) return Promise.resolve();
      done = true;
      return writeAll(this.#wire, encoder.encode("DONE\r\n"));
    };
    const timer = setTimeout(() => finish().catch(() => {}), waitMs);
    try {
      while (true) {
        const response = await withTimeout(
          this.#read(),
          waitMs + this.#timeoutMs,
          "the end of IDLE",
        );
        if (response.tag === tag) {
          this.#complete("IDLE", response, updates, false);
          return updates;
        }
        this.#untagged(response, updates);
        if (options.until?.(response)) await finish();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** LOGOUT (RFC 3501 6.1.3), then close. */
  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } finally {
      this.close();
    }
  }

  /** Close the connection (idempotent). */
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
