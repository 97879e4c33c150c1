/**
 * The IMAP server: a loopback listener whose connections each run a {@linkcode Session}
 * over a user's Maildir in a {@linkcode MailStore}, driven by {@linkcode serveConnection}.
 *
 * @module
 */

import {
  AuthThrottle,
  LoginDeadline,
  type LoopbackServer,
  type Refusal,
  serveLoopback,
} from "../net/mod.ts";
import type { MailStore } from "../maildir/mod.ts";
import { tap, type Transcript } from "../transcript/transcript.ts";
import { LIMITS } from "./constants.ts";
import { MailboxRegistry } from "./mailbox.ts";
import { MailboxEvents } from "./notify.ts";
import { serveConnection } from "./connection.ts";
import { Session } from "./session.ts";
import { SilenceClock } from "./silence.ts";

/** Options for {@linkcode serveImap}. */
export interface ImapServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. The mail lab uses 1143. */
  port?: number;
  /** Where mail lives: root/<user>/ is a Maildir++ tree. */
  store: MailStore;
  /** User name to password. */
  users: ReadonlyMap<string, string>;
  /** Autologout after this much silence once logged in; default 30 minutes (RFC 3501 5.4). */
  idleTimeoutMs?: number;
  /**
   * Time from the greeting to a successful login; default 3 minutes
   * (`LIMITS.loginTimeoutMs`). A shorter `idleTimeoutMs` still applies to each wait.
   */
  loginTimeoutMs?: number;
  /**
   * The password-guessing policy (lib/net/auth_throttle.ts). Give one throttle to several
   * servers and a client's failures count on all of them. Default: a throttle of its own.
   */
  authThrottle?: AuthThrottle;
  /**
   * Delay before answering the first wrong password from an address, doubling with each
   * further one; used when `authThrottle` is not given. Default 2000; tests use a few ms.
   */
  authFailureDelayMs?: number;
  /**
   * How often a folder with IDLE sessions is rescanned besides its file-system events,
   * the safety net for file systems without events; default 30 s.
   */
  pollIntervalMs?: number;
  /** Most folders one NOTIFY may watch; default `LIMITS.notifyMailboxes`. */
  notifyMailboxes?: number;
  /** Largest literal (APPEND size) accepted; default 32 MiB. */
  maxLiteralSize?: number;
  /** Most octets all literals of one command may hold once logged in; default 64 MiB. */
  maxCommandLiteralSize?: number;
  /**
   * Most simultaneous connections; default 1000 (a class). The next client is greeted
   * with a BYE that says so, instead of being ignored.
   */
  maxConnections?: number;
  /**
   * Most simultaneous connections from one client address; default 500, half the slots
   * (as Postfix keeps 50 of its 100). The next one from that address gets a BYE.
   */
  maxConnectionsPerAddress?: number;
  /** Record every connection's bytes here (for notebooks). */
  transcript?: Transcript;
  /**
   * The folders' shared state (mailbox.ts); default one of its own. Tests pass theirs to
   * check that nothing stays held once sessions end.
   */
  registry?: MailboxRegistry;
  /** How sessions tell each other of name and subscription changes (NOTIFY); default one of its own. */
  mailboxEvents?: MailboxEvents;
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
  const registry = options.registry ?? new MailboxRegistry();
  const mailboxEvents = options.mailboxEvents ?? new MailboxEvents();
  const maxConnections = options.maxConnections ?? LIMITS.maxConnections;
  const throttle = options.authThrottle ??
    new AuthThrottle({ firstDelayMs: options.authFailureDelayMs });
  /** Fires when the server closes: a password delay in progress ends at once. */
  const stopping = new AbortController();
  const silence = new SilenceClock(
    options.idleTimeoutMs ?? LIMITS.idleTimeoutMs,
    options.loginTimeoutMs ?? LIMITS.loginTimeoutMs,
  );
  const server = serveLoopback(async (conn) => {
    const wire = options.transcript ? tap(conn, options.transcript, "server", "client") : conn;
    const loginDeadline = new LoginDeadline({
      idleTimeoutMs: options.idleTimeoutMs ?? LIMITS.idleTimeoutMs,
      loginTimeoutMs: options.loginTimeoutMs ?? LIMITS.loginTimeoutMs,
    });
    const session = new Session({
      store: options.store,
      users: options.users,
      registry,
      mailboxEvents,
      loginDeadline,
      authAttempts: throttle.session(conn.remoteAddr.hostname, stopping.signal),
      pollIntervalMs: options.pollIntervalMs ?? LIMITS.rescanIntervalMs,
      notifyMailboxes: options.notifyMailboxes ?? LIMITS.notifyMailboxes,
      maxLiteralSize: options.maxLiteralSize ?? LIMITS.maxLiteralSize,
      maxCommandLiteralSize: options.maxCommandLiteralSize ?? LIMITS.maxCommandLiteralSize,
    });
    await serveConnection(wire, session, {
      silence,
      limit: loginDeadline.timeoutMs,
      closing: stopping.signal,
    });
  }, {
    port: options.port,
    maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? LIMITS.maxConnectionsPerAddress,
    onError: options.onError,
    onTooManyConnections: async (conn, refusal) => {
      await conn.write(new TextEncoder().encode(refusalBye(refusal)));
    },
  });
  const close = async () => {
    stopping.abort();
    await server.close();
    await registry.settled(); // the mailboxes' last commits and listings
  };
  return { ...server, close, [Symbol.asyncDispose]: close };
}

/** RFC 3501 7.1.5: BYE instead of a greeting, saying which limit was reached. */
function refusalBye(refusal: Refusal): string {
  const limit = refusal.kind === "server"
    ? `the limit is ${refusal.limit}`
    : `from ${refusal.address}; the limit is ${refusal.limit} per address`;
  return `* BYE Too many connections (${limit}), try again later\r\n`;
}
