/**
 * TIME-WAIT on the live socket table: the side that closes first keeps it.
 *
 * RFC 9293 3.6: the endpoint that sends the first FIN ends in TIME-WAIT and stays there
 * 2 × MSL, so that a lost final ACK can be sent again and old duplicates of this
 * connection die out before the same address pair is used again. Linux holds it for a
 * fixed 60 s (`TCP_TIMEWAIT_LEN`), not 2 × MSL = 4 minutes.
 *
 * The experiment lets one side send its FIN first (with `closeWrite()`, so that it can
 * still read and knows when the other side's FIN has come), then reads the table.
 *
 * @module
 */

import { connectLoopback, serveLoopback, withTimeout } from "../net/mod.ts";
import { readToEnd } from "./read_all.ts";
import { readSocketTable, type SocketEntry } from "./socket_table.ts";

/** What the table showed. */
export interface TimeWaitResult {
  /** Who sent the first FIN. */
  closer: "client" | "server";
  client: string;
  server: string;
  /** The table could be read. */
  available: boolean;
  /** Why not, when it could not. */
  reason?: string;
  /** The table's rows for this connection (both ends). */
  entries: SocketEntry[];
  /** Which ends are in TIME-WAIT. */
  inTimeWait: ("client" | "server")[];
}

/**
 * Open a connection, let `closer` close first, and look for TIME-WAIT.
 *
 * @example
 * ```ts ignore
 * const result = await timeWaitExperiment("client");
 * console.log(result.inTimeWait); // ["client"] on Linux
 * ```
 */
export async function timeWaitExperiment(
  closer: "client" | "server",
  options: { timeoutMs?: number } = {},
): Promise<TimeWaitResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  let serverDone: () => void = () => {};
  const serverFinished = new Promise<void>((resolve) => serverDone = resolve);
  await using server = serveLoopback(async (conn) => {
    try {
      if (closer === "server") await conn.closeWrite(); // our FIN goes first
      await readToEnd(conn, timeoutMs, "server waiting for the client's FIN");
    } finally {
      serverDone();
    }
    // Returning closes the connection: the server's FIN, if it has not sent it yet.
  }, { onError: () => {} });
  const conn = await connectLoopback(server.port, { timeoutMs });
  const client = `127.0.0.1:${(conn.localAddr as Deno.NetAddr).port}`;
  const serverAddress = `127.0.0.1:${server.port}`;
  try {
    if (closer === "client") await conn.closeWrite(); // our FIN goes first
    // Either way, end of stream here means the server's FIN has arrived.
    await readToEnd(conn, timeoutMs, "client waiting for the server's FIN");
  } finally {
    conn.close();
  }
  // The server's read ends when the client's FIN arrives; by then both FINs are acked.
  await withTimeout(serverFinished, timeoutMs, "the server seeing the client's FIN");
  const table = await readSocketTable();
  if (!table.available) {
    return {
      closer,
      client,
      server: serverAddress,
      available: false,
      reason: table.reason,
      entries: [],
      inTimeWait: [],
    };
  }
  const entries = table.sockets.filter((s) =>
    (s.local === client && s.remote === serverAddress) ||
    (s.local === serverAddress && s.remote === client)
  );
  const inTimeWait = entries.filter((s) => s.state === "TIME-WAIT")
    .map((s) => s.local === client ? "client" as const : "server" as const);
  return { closer, client, server: serverAddress, available: true, entries, inTimeWait };
}
