/**
 * The IMAP server: a loopback listener whose connections each run a {@linkcode Session}
 * over a user's Maildir in a {@linkcode MailStore}, driven by {@linkcode serveConnection}.
 *
 * @module
 */

import { type LoopbackServer, serveLoopback } from "../net/mod.ts";
import type { MailStore } from "../maildir/mod.ts";
import { tap, type Transcript } from "../transcript/transcript.ts";
import { LIMITS } from "./constants.ts";
import { MailboxRegistry } from "./mailbox.ts";
import { serveConnection } from "./connection.ts";
import { Session } from "./session.ts";

/** Options for {@linkcode serveImap}. */
export interface ImapServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. The mail lab uses 1143. */
  port?: number;
  /** Where mail lives: root/<user>/ is a Maildir++ tree. */
  store: MailStore;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  /** Autologout after this much silence; default 30 minutes (RFC 3501 5.4). */
  idleTimeoutMs?: number;
  /**
   * How often a folder with IDLE sessions is rescanned besides its file-system events,
   * the safety net for file systems without events; default 30 s.
   */
  pollIntervalMs?: number;
  /** Largest literal (APPEND size) accepted; default 32 MiB. */
  maxLiteralSize?: number;
  /** Most octets all literals of one command may hold once logged in; default 64 MiB. */
  maxCommandLiteralSize?: number;
  /**
   * Most simultaneous connections; default 1000 (a class). The next client is greeted
   * with a BYE that says so, instead of being ignored.
   */
  maxConnections?: number;
  /** Record every connection's bytes here (for notebooks). */
  transcript?: Transcript;
  /** Errors thrown while serving a connection; default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A running IMAP server; `await using` closes it and every connection. */
export interface ImapServer extends LoopbackServer {}

/**
 * Serve IMAP on 127.0.0.1.
 *
 * @example Start, and close at the end of the scope
 * ```ts
 * import { serveImap } from "./server.ts";
 * import { MailStore } from "../maildir/mod.ts";
 * const root = await Deno.makeTempDir();
 * {
 *   await using server = serveImap({ store: new MailStore(root), users: new Map([["alice", "pw"]]) });
 *   if (server.port <= 0) throw new Error("unexpected");
 * }
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function serveImap(options: ImapServerOptions): ImapServer {
  const registry = new MailboxRegistry();
  const maxConnections = options.maxConnections ?? LIMITS.maxConnections;
  let stop: () => void = () => {};
  const closing = new Promise<void>((resolve) => (stop = resolve));
  const server = serveLoopback(async (conn) => {
    const wire = options.transcript ? tap(conn, options.transcript, "server", "client") : conn;
    const session = new Session({
      store: options.store,
      users: options.users,
      registry,
      pollIntervalMs: options.pollIntervalMs ?? LIMITS.rescanIntervalMs,
      maxLiteralSize: options.maxLiteralSize ?? LIMITS.maxLiteralSize,
      maxCommandLiteralSize: options.maxCommandLiteralSize ?? LIMITS.maxCommandLiteralSize,
    });
    await serveConnection(wire, session, {
      idleTimeoutMs: options.idleTimeoutMs ?? LIMITS.idleTimeoutMs,
      closing,
    });
  }, {
    port: options.port,
    maxConnections,
    onError: options.onError,
    onTooManyConnections: async (conn) => {
      // RFC 3501 7.1.5: BYE instead of a greeting.
      const bye =
        `* BYE Too many connections (the limit is ${maxConnections}), try again later\r\n`;
      await conn.write(new TextEncoder().encode(bye));
    },
  });
  const close = () => {
    stop();
    return server.close();
  };
  return { ...server, close, [Symbol.asyncDispose]: close };
}
