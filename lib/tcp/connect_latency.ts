/**
 * How long a TCP connect takes on loopback.
 *
 * `connect()` returns when the client has received the SYN,ACK and sent its ACK: one
 * round trip, plus the work of two kernels and a runtime. On loopback the round trip is
 * microseconds, so what we measure is mostly that work.
 *
 * @module
 */

import { connectLoopback, serveLoopback, withTimeout } from "../net/mod.ts";
import { readToEnd } from "./read_all.ts";

/** Options for {@linkcode measureConnectLatency}. */
export interface LatencyOptions {
  /** Deadline for each connect, ms. Default 3000. */
  timeoutMs?: number;
}

/**
 * Open and close `count` connections one after another; the time of each connect, in ms.
 *
 * @example
 * ```ts
 * import { measureConnectLatency } from "./connect_latency.ts";
 * const times = await measureConnectLatency(5);
 * if (times.length !== 5 || times.some((t) => !(t >= 0))) throw new Error();
 * ```
 */
export async function measureConnectLatency(
  count = 300,
  options: LatencyOptions = {},
): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot measure ${count} connections: give a positive whole number`);
  }
  const timeoutMs = options.timeoutMs ?? 3000;
  // The server waits for the client's FIN, so the client closes first (and the server
  // does not pile up TIME-WAIT sockets on its port).
  await using server = serveLoopback(async (conn) => {
    await readToEnd(conn, timeoutMs, "server waiting for the client to close");
  }, { onError: () => {} });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const conn = await connectLoopback(server.port, { timeoutMs });
    times.push(performance.now() - start);
    conn.close();
  }
  await withTimeout(server.close(), timeoutMs, "closing the latency server");
  return times;
}
