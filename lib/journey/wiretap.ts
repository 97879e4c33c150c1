/**
 * A wiretap: a loopback port that forwards every connection to another port and records
 * the bytes both ways on the way through.
 *
 * Putting a wiretap in front of each server lets the journey record every hop the same
 * way, whoever speaks on it: our code, the learner's, or Postfix (whose connections we
 * could not tap from inside). It is what tcpdump shows, one level up: chunks of the byte
 * stream as they left one end, timed, without the TCP headers.
 *
 * @module
 */

import { closeQuietly, connectLoopback, type LoopbackServer, serveLoopback } from "../net/mod.ts";
import { writeAll } from "../net/mod.ts";
import type { JourneyRecorder, RecordedConnection } from "./recorder.ts";

/** What a wiretap records each connection as. */
export interface WiretapOptions {
  /** The port the real server listens on. */
  upstreamPort: number;
  /** The hop's label, protocol and two ends, for the recorder. */
  label: string;
  protocol: RecordedConnection["protocol"];
  client: string;
  server: string;
  /** Deadline for reaching the upstream server, ms. Default 5000. */
  timeoutMs?: number;
}

/** Copy one direction until its reader ends, then half-close the other side's writing. */
async function pump(
  from: Deno.TcpConn,
  to: Deno.TcpConn,
  record: (bytes: Uint8Array) => void,
): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    while (true) {
      const n = await from.read(buffer);
      if (n === null) break;
      const chunk = buffer.subarray(0, n);
      record(chunk); // before forwarding, so an answer is never timed before its question
      await writeAll(to, chunk);
    }
    await to.closeWrite().catch(() => {});
  } catch {
    // One side reset or was closed: the other direction ends too.
    closeQuietly(from);
    closeQuietly(to);
  }
}

/**
 * Listen on a free loopback port; forward each connection to `upstreamPort`, recording
 * both directions into a new transcript of `recorder`. `close()` ends every forwarded
 * connection.
 *
 * @example
 * ```ts
 * import { serveWiretap } from "./wiretap.ts";
 * import { JourneyRecorder } from "./recorder.ts";
 * import { connectLoopback, serveLoopback } from "../net/mod.ts";
 * await using echo = serveLoopback(async (conn) => {
 *   const b = new Uint8Array(16);
 *   const n = await conn.read(b);
 *   if (n) await conn.write(b.subarray(0, n));
 * });
 * const log = new JourneyRecorder();
 * await using tap = serveWiretap(log, { upstreamPort: echo.port, label: "echo", protocol: "SMTP", client: "c", server: "s" });
 * using conn = await connectLoopback(tap.port);
 * await conn.write(new TextEncoder().encode("hi\r\n"));
 * await conn.read(new Uint8Array(16));
 * if (log.connections[0].transcript.bytesFrom("s") !== 4) throw new Error();
 * ```
 */
export function serveWiretap(recorder: JourneyRecorder, options: WiretapOptions): LoopbackServer {
  const upstreams = new Set<Deno.TcpConn>();
  const server = serveLoopback(async (conn) => {
    const upstream = await connectLoopback(options.upstreamPort, {
      timeoutMs: options.timeoutMs ?? 5000,
    });
    upstreams.add(upstream);
    const transcript = recorder.connection(
      options.label,
      options.protocol,
      options.client,
      options.server,
    );
    try {
      await Promise.all([
        pump(conn, upstream, (b) => transcript.record(options.client, options.server, b)),
        pump(upstream, conn, (b) => transcript.record(options.server, options.client, b)),
      ]);
    } finally {
      upstreams.delete(upstream);
      closeQuietly(upstream);
    }
  });
  const close = async () => {
    for (const upstream of upstreams) closeQuietly(upstream);
    await server.close();
  };
  return {
    ...server,
    get connections() {
      return server.connections;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
