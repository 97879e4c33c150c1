/**
 * Reset versus orderly close, as the peer sees them.
 *
 * An orderly close sends FIN: the peer's read returns end of stream (EOF) after all the
 * data. A reset (RST, RFC 9293 3.5.2) throws away whatever is queued and the peer's
 * read fails with "connection reset". Three ways to end a connection are tried:
 *
 * - `close()` after reading everything: FIN.
 * - `close()` with received data still unread. RFC 2525 2.17 and Linux say: send RST,
 *   since the application will never see that data. Deno, though, first shuts the write
 *   side (its socket halves send FIN when dropped) and then closes: the wire shows FIN then
 *   RST, so the peer's read reports EOF and only a later write fails.
 * - node:net's `socket.resetAndDestroy()`: sets SO_LINGER to 0 and closes, the one
 *   portable way to send a bare RST; the peer's read fails with ConnectionReset.
 *
 * @module
 */

import net from "node:net";
import { connectLoopback, serveLoopback, withTimeout, writeAll } from "../net/mod.ts";
import { describeRead, describeWrite, errorName } from "./read_all.ts";

/** How the connection was ended. */
export type EndingKind = "close (orderly)" | "close with unread data" | "node resetAndDestroy()";

/** What the peer saw. */
export interface EndingResult {
  how: EndingKind;
  /** The peer's first read after the ending: `"EOF"`, `"ConnectionReset"`... */
  peerRead: string;
  /** The peer's next writes, in order: `"ok"` until one fails. */
  peerWrites: string[];
}

/** Options for the experiments. */
export interface ResetOptions {
  /** Deadline for each network step, ms. Default 3000. */
  timeoutMs?: number;
}

const encoder = new TextEncoder();

async function writesUntilError(conn: Deno.Conn, timeoutMs: number, tries = 3): Promise<string[]> {
  const results: string[] = [];
  for (let i = 0; i < tries; i++) {
    results.push(await describeWrite(conn, encoder.encode("more\r\n"), timeoutMs));
    if (results.at(-1) !== "ok") break;
  }
  return results;
}

/**
 * The server ends the connection (`close`, or `close` with unread data); the client is
 * the peer that reports what it saw.
 */
export async function serverEnding(
  how: "close (orderly)" | "close with unread data",
  options: ResetOptions = {},
): Promise<EndingResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  await using server = serveLoopback(async (conn) => {
    // Read one byte of the greeting. With unread data the rest stays in the receive queue.
    const want = how === "close (orderly)" ? 7 : 1;
    const buffer = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const n = await withTimeout(conn.read(buffer.subarray(got)), timeoutMs, "server reading");
      if (n === null) break;
      got += n;
    }
    // Returning makes serveLoopback close the connection.
  }, { onError: () => {} });
  const conn = await connectLoopback(server.port, { timeoutMs });
  try {
    await writeAll(conn, encoder.encode("HELLO\r\n")); // 7 bytes, one segment
    const peerRead = await describeRead(conn, timeoutMs);
    const peerWrites = await writesUntilError(conn, timeoutMs);
    return { how, peerRead, peerWrites };
  } finally {
    conn.close();
  }
}

/** The client resets with node:net's `resetAndDestroy()`; the server is the peer that reports. */
export async function clientReset(options: ResetOptions = {}): Promise<EndingResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  let report: (value: EndingResult) => void = () => {};
  const reported = new Promise<EndingResult>((resolve) => report = resolve);
  await using server = serveLoopback(async (conn) => {
    const peerRead = await describeRead(conn, timeoutMs);
    const peerWrites = await writesUntilError(conn, timeoutMs);
    report({ how: "node resetAndDestroy()", peerRead, peerWrites });
  }, { onError: () => {} });
  const socket = net.connect({ host: "127.0.0.1", port: server.port });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("error", reject);
      }),
      timeoutMs,
      "node:net connecting",
    );
    socket.on("error", () => {}); // the reset is ours; nothing to report on this side
    socket.resetAndDestroy();
    return await withTimeout(reported, timeoutMs, "the server seeing the reset");
  } catch (error) {
    throw new Error(`Cannot run the reset experiment: ${errorName(error)}`, { cause: error });
  } finally {
    socket.destroy();
  }
}

/** All three endings, for a table in the notebook. */
export async function resetVersusClose(options: ResetOptions = {}): Promise<EndingResult[]> {
  return [
    await serverEnding("close (orderly)", options),
    await serverEnding("close with unread data", options),
    await clientReset(options),
  ];
}
