/**
 * Servers and clients on 127.0.0.1 only.
 *
 * Every server in this course listens on the loopback address, so nothing a learner runs
 * is reachable from another machine. A server asks the OS for a free port (port 0) and
 * keeps that listener: asking for a free port and binding later races with other programs.
 * Closing a server closes its listener and every connection it holds, and waits for its
 * handlers to finish, so a notebook or a test leaves nothing behind.
 *
 * @module
 */

import { type ConnectionGate, ConnectionLimits, type Refusal } from "./connection_limits.ts";
import { withTimeout } from "./timeout.ts";

/** The one address every course server binds to. */
export const LOOPBACK = "127.0.0.1";

/** Handles one accepted connection. The server closes the connection when it returns. */
export type ConnectionHandler = (conn: Deno.TcpConn) => void | Promise<void>;

/** Options for {@linkcode serveLoopback}. */
export interface ServeOptions {
  /** Port to listen on; 0 (the default) lets the OS choose a free one. */
  port?: number;
  /**
   * Share the port with other listeners that ask for it too (Linux's `SO_REUSEPORT`): the
   * kernel spreads new connections over them, which is how one server serves on several
   * threads. Deno needs `--unstable-net` for it. Default false.
   */
  reusePort?: boolean;
  /** Most connections served at once. Default 100. Ignored when `limits` is given. */
  maxConnections?: number;
  /**
   * Most connections served at once from one client address, so that one client cannot
   * take every slot (Postfix's smtpd_client_connection_count_limit). Default: no limit
   * of its own, only `maxConnections`. Ignored when `limits` is given.
   */
  maxConnectionsPerAddress?: number;
  /**
   * The count the limits are kept in (lib/net/connection_limits.ts). Default: one of this
   * server's own, from the two options above. Servers on several threads pass one that
   * asks the thread holding the shared count.
   */
  limits?: ConnectionGate;
  /**
   * Say goodbye to a connection over a limit (e.g. SMTP's 421) before it is closed. It
   * never takes a slot: it is closed as soon as this returns.
   */
  onTooManyConnections?: (conn: Deno.TcpConn, refusal: Refusal) => void | Promise<void>;
  /**
   * Errors thrown by a handler. Default: log them with `console.error`. A peer that
   * reset or left ({@linkcode isPeerGone}) is an ordinary end, never reported.
   */
  onError?: (error: unknown) => void;
}

/** A running loopback server. `await using` closes it at the end of the scope. */
export interface LoopbackServer extends AsyncDisposable {
  readonly hostname: typeof LOOPBACK;
  readonly port: number;
  /** Connections being served now. */
  readonly connections: ReadonlySet<Deno.TcpConn>;
  /** Stop listening, close every connection, wait for every handler. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * True for the errors a socket gives when the peer went away (reset, closed while we
 * wrote, closed in the middle of what it was sending): an ordinary end of a session, not
 * a server failure worth a report.
 */
export function isPeerGone(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.UnexpectedEof;
}

/** Close a connection, ignoring "already closed". */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource)) throw error;
  }
}

/**
 * Listen on 127.0.0.1 and hand each connection to `handler`.
 *
 * @example An echo server, closed at the end of the block
 * ```ts
 * import { serveLoopback, connectLoopback } from "./loopback.ts";
 * await using server = serveLoopback(async (conn) => {
 *   const buf = new Uint8Array(64);
 *   const n = await conn.read(buf);
 *   if (n) await conn.write(buf.subarray(0, n));
 * });
 * using conn = await connectLoopback(server.port);
 * await conn.write(new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(2);
 * await conn.read(buf);
 * ```
 */
export function serveLoopback(
  handler: ConnectionHandler,
  options: ServeOptions = {},
): LoopbackServer {
  const listener = options.reusePort
    ? Deno.listen({ hostname: LOOPBACK, port: options.port ?? 0, reusePort: true })
    : Deno.listen({ hostname: LOOPBACK, port: options.port ?? 0 });
  const limits = options.limits ?? new ConnectionLimits(options);
  const onError = options.onError ??
    ((error) => console.error("Connection handler failed:", error));
  const connections = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  let closing = false;
  let closed: Promise<void> | undefined;

  async function serve(conn: Deno.TcpConn): Promise<void> {
    connections.add(conn);
    const address = conn.remoteAddr.hostname;
    let refused: Refusal | null | undefined; // undefined: admission itself failed
    try {
      refused = await limits.admit(address);
      if (refused) await options.onTooManyConnections?.(conn, refused);
      else await handler(conn);
    } catch (error) {
      // Errors caused by our own close(), or by a peer that reset, are not worth a report.
      if (!closing && !isPeerGone(error)) onError(error);
    } finally {
      if (refused === null) limits.release(address);
      connections.delete(conn);
      closeQuietly(conn);
    }
  }

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const served = serve(conn);
        handlers.add(served);
        served.finally(() => handlers.delete(served));
      }
    } catch (error) {
      if (!closing) onError(error);
    }
  })();

  const port = (listener.addr as Deno.NetAddr).port;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      listener.close();
      await accepting;
      for (const conn of connections) closeQuietly(conn);
      await Promise.allSettled([...handlers]);
    })();
    return closed;
  };
  return {
    hostname: LOOPBACK,
    port,
    connections,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Options for {@linkcode connectLoopback}. */
export interface ConnectOptions {
  /** Give up after this many ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * Connect to a port on 127.0.0.1, with a deadline.
 *
 * @example
 * ```ts
 * import { serveLoopback, connectLoopback } from "./loopback.ts";
 * await using server = serveLoopback(() => {});
 * using conn = await connectLoopback(server.port, { timeoutMs: 1000 });
 * ```
 */
export async function connectLoopback(
  port: number,
  options: ConnectOptions = {},
): Promise<Deno.TcpConn> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const abort = new AbortController();
  try {
    return await withTimeout(
      Deno.connect({ hostname: LOOPBACK, port, signal: abort.signal }),
      timeoutMs,
      `connecting to ${LOOPBACK}:${port}`,
    );
  } catch (error) {
    abort.abort();
    throw error;
  }
}
