/**
 * The SMTP server: wires sockets to the session state machine and the backend, and
 * nothing else.
 *
 * Each connection: greet (220), then read lines, `step` the session, carry out the
 * effect it asks for (ask the backend, read DATA, close) and write the replies. Replies
 * are written when no further command is already waiting in the buffer, so a pipelining
 * client gets its replies in one packet (RFC 2920 3.2). A message is acknowledged with 250
 * only after the backend resolved its store, which for Maildir means fsynced to disk.
 *
 * @module
 */

import {
  IdleTimeoutError,
  isPeerGone,
  LineReader,
  LineTooLongError,
  LineWriter,
  type LoopbackServer,
  serveLoopback,
} from "../net/mod.ts";
import { tap, Transcript } from "../transcript/transcript.ts";
import {
  type ClientInfo,
  mailBackend,
  type MailboxStore,
  type Relay,
  type SmtpBackend,
} from "./backend.ts";
import { readDataBlock } from "./data.ts";
import { SmtpError } from "./error.ts";
import { prependHeaders, receivedHeader } from "./received.ts";
import { formatReply, type Reply } from "./reply.ts";
import {
  complete,
  type Effect,
  greeting,
  initialState,
  lineTooLong,
  reply,
  type SessionConfig,
  type SessionState,
  step,
} from "./session.ts";

/** Options for {@linkcode serveSmtp}. */
export interface SmtpServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Our name in the greeting and Received: lines. Default "localhost". */
  hostname?: string;
  /** Local mailboxes (lib/maildir's MailStore). Needed unless `backend` is given. */
  store?: MailboxStore;
  /** Users (name to password) for AUTH and local delivery. */
  users?: ReadonlyMap<string, string>;
  /** Domains delivered locally. Default `[hostname]`. */
  domains?: readonly string[];
  /** How to relay mail for other domains (see mx.ts); without it we never relay. */
  relay?: Relay;
  /** Domains relayed for unauthenticated clients (we are a relay hop or backup MX for them). */
  relayDomains?: readonly string[];
  /** Replace the whole policy with your own hooks. */
  backend?: SmtpBackend;
  /** Largest message in bytes, advertised as SIZE. Default 10 MiB. */
  maxMessageSize?: number;
  /** Recipients per message. Default 100 (RFC 5321 4.5.3.1.8). */
  maxRecipients?: number;
  /** Longest line in bytes without CRLF. Default 1000 (RFC 5321 4.5.3.1.6: 998 + slack). */
  maxLineLength?: number;
  /** Close a silent connection after this long. Default 5 minutes (RFC 5321 4.5.3.2.7). */
  idleTimeoutMs?: number;
  /** Connections at once; more get 421. Default 100. */
  maxConnections?: number;
  /** SASL mechanisms offered. Default PLAIN and LOGIN; `[]` turns AUTH off. */
  authMechanisms?: ("PLAIN" | "LOGIN")[];
  /** Called with a fresh transcript for each connection, to watch the dialogue. */
  onTranscript?: (transcript: Transcript) => void;
  /** Errors from handlers and backends. Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A running SMTP server on 127.0.0.1. `await using` closes it and all its connections. */
export interface SmtpServer extends LoopbackServer {
  /** Messages acknowledged with 250 since start. */
  readonly delivered: number;
}

let counter = 0;

/**
 * Bytes read from a connection at a time: DATA is scanned in chunks of this size, so it
 * is also the memory each connection holds besides the message itself.
 */
const READ_BUFFER_BYTES = 32 * 1024;

/** A short queue id for the Received: line and the 250 reply. */
function queueId(): string {
  counter = (counter + 1) % 1_679_616;
  return Date.now().toString(36).toUpperCase() +
    counter.toString(36).toUpperCase().padStart(4, "0");
}

/**
 * Start an SMTP server.
 *
 * @example
 * ```ts
 * import { serveSmtp } from "./server.ts";
 * import { MemoryMailStore } from "./backend.ts";
 * await using server = serveSmtp({ store: new MemoryMailStore(), users: new Map([["bob", "pw"]]) });
 * if (server.hostname !== "127.0.0.1" || server.port === 0) throw new Error();
 * ```
 */
export function serveSmtp(options: SmtpServerOptions): SmtpServer {
  const hostname = options.hostname ?? "localhost";
  const backend = options.backend ?? (() => {
    if (!options.store) {
      throw new TypeError("Cannot start SMTP server: give a store (or a backend)");
    }
    return mailBackend({
      store: options.store,
      users: options.users ?? new Map(),
      domains: options.domains ?? [hostname],
      relay: options.relay,
      relayDomains: options.relayDomains,
    });
  })();
  const config: SessionConfig = {
    hostname,
    maxMessageSize: options.maxMessageSize ?? 10 * 1024 * 1024,
    maxRecipients: options.maxRecipients ?? 100,
    authMechanisms: options.authMechanisms ?? ["PLAIN", "LOGIN"],
  };
  const onError = options.onError ?? ((error) => console.error("SMTP server:", error));
  let delivered = 0;

  async function handle(conn: Deno.TcpConn): Promise<void> {
    let io: Deno.TcpConn = conn;
    if (options.onTranscript) {
      const transcript = new Transcript();
      options.onTranscript(transcript);
      io = tap(conn, transcript, "server", "client");
    }
    const reader = new LineReader(io, {
      maxLineLength: options.maxLineLength ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      bufferSize: READ_BUFFER_BYTES,
    });
    const writer = new LineWriter(io);
    const client: ClientInfo = { helo: "", address: conn.remoteAddr.hostname };
    let state: SessionState = initialState();
    const pending: string[] = [];
    const send = (replies: Reply[]) => {
      for (const r of replies) pending.push(...formatReply(r));
    };
    const flush = async () => {
      if (pending.length === 0) return;
      const lines = pending.splice(0);
      await writer.writeLines(lines);
    };

    send([greeting(config)]);
    try {
      while (true) {
        if (reader.buffered === 0) await flush(); // nothing pipelined behind: answer now
        let line;
        try {
          line = await reader.readLine();
        } catch (error) {
          if (!(error instanceof LineTooLongError)) throw error;
          const result = lineTooLong(state);
          state = result.state;
          send(result.replies);
          continue;
        }
        if (line === null) return; // the client left; an open transaction is dropped
        let result = step(config, state, line.text);
        while (true) {
          state = result.state;
          send(result.replies);
          if (!result.effect) break;
          const effect: Effect = result.effect;
          if (effect.kind === "close") {
            await flush();
            return;
          }
          if (effect.kind === "data") {
            await flush(); // the 354 must reach the client before it sends the message
            const outcome = await receiveMessage(reader, state);
            if (outcome === "vanished") return;
            result = complete(state, effect, outcome.error, outcome.id);
            if (outcome.close) {
              state = result.state;
              send(result.replies);
              await flush();
              return;
            }
            continue;
          }
          result = complete(state, effect, await decide(effect, state));
        }
      }
    } catch (error) {
      if (error instanceof IdleTimeoutError) {
        send([reply(421, "4.4.2", `${hostname} idle timeout, closing connection`)]);
        await flush().catch(() => {});
        return;
      }
      if (isPeerGone(error)) return; // the client reset or left while we wrote: nothing to report
      throw error;
    }

    async function decide(effect: Effect, state: SessionState): Promise<SmtpError | null> {
      client.helo = state.helo ?? "";
      client.user = state.user;
      try {
        if (effect.kind === "sender") await backend.checkSender?.(effect.address, client);
        else if (effect.kind === "recipient") await backend.checkRecipient(effect.address, client);
        else if (effect.kind === "authenticate") {
          if (!(await backend.authenticate(effect.username, effect.password))) {
            return new SmtpError(535, "5.7.8", "Authentication credentials invalid");
          }
        }
        return null;
      } catch (error) {
        if (error instanceof SmtpError) return error;
        onError(error);
        return new SmtpError(451, "4.3.0", "Local error in processing, try again later");
      }
    }

    async function receiveMessage(
      reader: LineReader,
      state: SessionState,
    ): Promise<"vanished" | { error: SmtpError | null; close: boolean; id?: string }> {
      const block = await readDataBlock(reader, { maxSize: config.maxMessageSize });
      if (block.kind === "vanished") return "vanished";
      if (block.kind === "refused") return { error: block.error, close: block.close };
      const envelope = state.envelope!;
      const id = queueId();
      const received = receivedHeader({
        helo: state.helo ?? "unknown",
        clientAddress: client.address,
        by: hostname,
        esmtp: state.esmtp,
        authenticated: state.user !== undefined,
        id,
        for: envelope.to.length === 1 ? envelope.to[0] : undefined,
        date: new Date(),
      });
      client.helo = state.helo ?? "";
      client.user = state.user;
      try {
        await backend.store(envelope, prependHeaders(block.bytes, received), client);
      } catch (error) {
        if (error instanceof SmtpError) return { error, close: false };
        onError(error);
        return {
          error: new SmtpError(451, "4.3.0", "Local error in processing: message not stored"),
          close: false,
        };
      }
      delivered++;
      return { error: null, close: false, id };
    }
  }

  const server = serveLoopback(handle, {
    port: options.port,
    maxConnections: options.maxConnections ?? 100,
    onTooManyConnections: async (conn) => {
      const writer = new LineWriter(conn);
      await writer.writeLines(
        formatReply(reply(421, "4.3.2", `${hostname} too many connections, try again later`)),
      );
    },
    onError,
  });
  return {
    ...server,
    get connections() {
      return server.connections;
    },
    get delivered() {
      return delivered;
    },
  };
}
