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
  AuthThrottle,
  encodeLines,
  IdleTimeoutError,
  IdleWatch,
  isPeerGone,
  LineReader,
  LineTooLongError,
  LineWriter,
  LoginDeadline,
  type LoopbackServer,
  type Refusal,
  serveLoopback,
  ServerClosingError,
} from "../net/mod.ts";
import { concatBytes } from "../mail/bytes.ts";
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
import { LIMITS } from "./limits.ts";
import { receivedHeader } from "./received.ts";
import { formatReply, type Reply } from "./reply.ts";
import {
  complete,
  type Effect,
  FIXED_REPLIES,
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
  /** Largest message in bytes, advertised as SIZE. Default `LIMITS.maxMessageSize` (10 MiB). */
  maxMessageSize?: number;
  /** Recipients per message. Default 100 (RFC 5321 4.5.3.1.8). */
  maxRecipients?: number;
  /** Longest line in bytes without CRLF. Default 1000 (RFC 5321 4.5.3.1.6: 998 + slack). */
  maxLineLength?: number;
  /** Close a silent connection after this long. Default 5 minutes (RFC 5321 4.5.3.2.7). */
  idleTimeoutMs?: number;
  /**
   * Time from the greeting until AUTH succeeds or a MAIL is accepted. Default 3 minutes
   * (`LIMITS.loginTimeoutMs`); a shorter `idleTimeoutMs` still applies to each wait.
   */
  loginTimeoutMs?: number;
  /** Connections at once; more get 421. Default 100. */
  maxConnections?: number;
  /** Connections at once from one client address; more get `421 4.7.0`. Default 50. */
  maxConnectionsPerAddress?: number;
  /**
   * The password-guessing policy (lib/net/auth_throttle.ts). Give one throttle to several
   * servers and a client's failures count on all of them. Default: a throttle of its own.
   */
  authThrottle?: AuthThrottle;
  /**
   * Delay before answering the first wrong password from an address, growing with each
   * further one; used when `authThrottle` is not given. Default 2000; tests use a few ms.
   */
  authFailureDelayMs?: number;
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

/** A short queue id for the Received: line and the 250 reply. */
function queueId(): string {
  counter = (counter + 1) % 1_679_616;
  return Date.now().toString(36).toUpperCase() +
    counter.toString(36).toUpperCase().padStart(4, "0");
}

const encoder = new TextEncoder();

/** The session's fixed replies as bytes, encoded once for every connection. */
const ENCODED_REPLIES = new Map<Reply, Uint8Array>(
  Object.values(FIXED_REPLIES).map((r) => [r, encodeLines(formatReply(r))]),
);

/** The reply as bytes for the wire. */
function replyBytes(r: Reply): Uint8Array {
  return ENCODED_REPLIES.get(r) ?? encodeLines(formatReply(r));
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
    maxMessageSize: options.maxMessageSize ?? LIMITS.maxMessageSize,
    maxRecipients: options.maxRecipients ?? LIMITS.maxRecipients,
    authMechanisms: options.authMechanisms ?? ["PLAIN", "LOGIN"],
  };
  const onError = options.onError ?? ((error) => console.error("SMTP server:", error));
  const throttle = options.authThrottle ??
    new AuthThrottle({ firstDelayMs: options.authFailureDelayMs });
  const idleTimeoutMs = options.idleTimeoutMs ?? LIMITS.idleTimeoutMs;
  const loginTimeoutMs = options.loginTimeoutMs ?? LIMITS.loginTimeoutMs;
  /** Fires when the server closes: a password delay in progress ends at once. */
  const stopping = new AbortController();
  let delivered = 0;

  async function handle(conn: Deno.TcpConn): Promise<void> {
    let io: Deno.TcpConn = conn;
    if (options.onTranscript) {
      const transcript = new Transcript();
      options.onTranscript(transcript);
      io = tap(conn, transcript, "server", "client");
    }
    const deadline = new LoginDeadline({ idleTimeoutMs, loginTimeoutMs });
    using watched = new IdleWatch(io, deadline.timeoutMs); // one timer, not one per read
    const reader = new LineReader(watched, {
      maxLineLength: options.maxLineLength ?? LIMITS.textLine,
      bufferSize: LIMITS.readBuffer,
    });
    const writer = new LineWriter(io);
    const client: ClientInfo = { helo: "", address: conn.remoteAddr.hostname };
    const attempts = throttle.session(client.address, stopping.signal);
    /** Set when the reply being sent is the session's last (too many failed AUTHs). */
    let closeAfterReply = false;
    let state: SessionState = initialState();
    const pending: Uint8Array[] = [];
    const send = (replies: Reply[]) => {
      for (const r of replies) pending.push(replyBytes(r));
    };
    const flush = async () => {
      if (pending.length === 0) return;
      // Replies queued together leave in one write; a lone one needs no copy.
      const replies = pending.splice(0);
      await writer.writeBytes(replies.length === 1 ? replies[0] : concatBytes(replies));
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
          if (closeAfterReply) {
            await flush();
            return;
          }
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
        const why = deadline.expired
          ? `login timeout (no AUTH or MAIL within ${loginTimeoutMs / 1000} s)`
          : "idle timeout";
        send([reply(421, "4.4.2", `${hostname} ${why}, closing connection`)]);
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
        if (effect.kind === "sender") {
          await backend.checkSender?.(effect.address, client);
          deadline.loggedIn(); // a transaction is open: the RFC's timeouts from now on
        } else if (effect.kind === "recipient") {
          await backend.checkRecipient(effect.address, client);
        } else if (effect.kind === "authenticate") {
          if (!(await backend.authenticate(effect.username, effect.password))) {
            // RFC 4954 6: 535 5.7.8, after the throttle's delay; the last try allowed
            // ends the session with 421 instead (RFC 5321 3.8: a 421 may answer any command).
            const verdict = await attempts.failed();
            if (verdict.disconnect) {
              closeAfterReply = true;
              return new SmtpError(
                421,
                "4.7.0",
                `${hostname} too many failed authentication attempts (${verdict.failures}), closing connection`,
              );
            }
            return new SmtpError(535, "5.7.8", "Authentication credentials invalid");
          }
          attempts.succeeded();
          deadline.loggedIn();
        }
        return null;
      } catch (error) {
        if (error instanceof SmtpError) return error;
        if (error instanceof ServerClosingError) throw error; // no answer due: we are closing
        onError(error);
        return new SmtpError(451, "4.3.0", "Local error in processing, try again later");
      }
    }

    async function receiveMessage(
      reader: LineReader,
      state: SessionState,
    ): Promise<"vanished" | { error: SmtpError | null; close: boolean; id?: string }> {
      const envelope = state.envelope!;
      const id = queueId();
      // Our Received: line is written as DATA begins (Postfix dates it at MAIL), so the
      // message is read in right behind it, into one buffer.
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
      const limits = { maxSize: config.maxMessageSize };
      const block = await readDataBlock(reader, limits, encoder.encode(received));
      if (block.kind === "vanished") return "vanished";
      if (block.kind === "refused") return { error: block.error, close: block.close };
      client.helo = state.helo ?? "";
      client.user = state.user;
      try {
        await backend.store(envelope, block.bytes, client);
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
    maxConnections: options.maxConnections ?? LIMITS.maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? LIMITS.maxConnectionsPerAddress,
    onTooManyConnections: async (conn, refusal) => {
      const writer = new LineWriter(conn);
      await writer.writeLines(formatReply(refusalReply(hostname, refusal)));
    },
    onError,
  });
  const close = () => {
    stopping.abort();
    return server.close();
  };
  return {
    ...server,
    close,
    [Symbol.asyncDispose]: close,
    get connections() {
      return server.connections;
    },
    get delivered() {
      return delivered;
    },
  };
}

/**
 * The 421 that turns a connection away (RFC 5321 3.8): 4.3.2 when the server is full,
 * 4.7.0 (a policy refusal, RFC 3463) when this client already holds its share.
 */
function refusalReply(hostname: string, refusal: Refusal): Reply {
  if (refusal.kind === "server") {
    return reply(421, "4.3.2", `${hostname} too many connections, try again later`);
  }
  return reply(
    421,
    "4.7.0",
    `${hostname} too many connections from ${refusal.address} (the limit is ${refusal.limit}), try again later`,
  );
}
