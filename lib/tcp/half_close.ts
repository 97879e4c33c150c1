/**
 * Half-close on real sockets (RFC 9293 3.6: a FIN means "I have no more to send", not
 * "stop talking to me").
 *
 * The client sends a request and then `closeWrite()`: its FIN leaves, but its socket can
 * still read. The server reads the request and the end of stream, and only then sends
 * its answer in several writes, and closes. Every byte the client receives here arrives
 * after its own FIN: the client is in FIN-WAIT-2 and the server in CLOSE-WAIT meanwhile.
 *
 * @module
 */

import { connectLoopback, serveLoopback, withTimeout, writeAll } from "../net/mod.ts";
import { readToEnd } from "./read_all.ts";

/** What the experiment saw. */
export interface HalfCloseResult {
  port: number;
  /** What the client sent before its FIN. */
  request: string;
  /** What the server read before the end of stream. */
  serverReceived: string;
  /** The server's read returned end of stream (the client's FIN) before it answered. */
  serverSawEof: boolean;
  /** The chunks the server wrote after it saw the client's FIN. */
  sentAfterFin: string[];
  /** All the client read after its FIN, until the server's FIN. */
  clientReceivedAfterFin: string;
}

/** Options for {@linkcode halfCloseExperiment}. */
export interface HalfCloseOptions {
  request?: string;
  /** What the server sends after the client's FIN, one write each. */
  reply?: string[];
  /** Deadline for each network step, ms. Default 3000. */
  timeoutMs?: number;
  /**
   * Run the client's part inside this, e.g. a packet capture filtered on the server's
   * port: `around: (port, client) => captureLoopback(\`tcp port ${port}\`, client)`.
   */
  around?: (port: number, client: () => Promise<void>) => Promise<unknown>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (chunks: Uint8Array[]) => chunks.map((c) => decoder.decode(c)).join("");

/**
 * Run the half-close experiment on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { halfCloseExperiment } from "./half_close.ts";
 * const result = await halfCloseExperiment({ reply: ["one ", "two"] });
 * if (result.clientReceivedAfterFin !== "one two" || !result.serverSawEof) throw new Error();
 * ```
 */
export async function halfCloseExperiment(
  options: HalfCloseOptions = {},
): Promise<HalfCloseResult> {
  const request = options.request ?? "QUIT\r\n";
  const reply = options.reply ??
    ["221 still talking after your FIN\r\n", "...and more\r\n", "bye\r\n"];
  const timeoutMs = options.timeoutMs ?? 3000;
  let serverReceived = "";
  let serverSawEof = false;
  const serverErrors: unknown[] = [];
  await using server = serveLoopback(async (conn) => {
    serverReceived = text(await readToEnd(conn, timeoutMs, "server reading the request"));
    serverSawEof = true; // readToEnd returned: the client's FIN has arrived
    for (const chunk of reply) await writeAll(conn, encoder.encode(chunk));
  }, { onError: (e) => serverErrors.push(e) });
  let after: Uint8Array[] | undefined;
  const client = async () => {
    const conn = await connectLoopback(server.port, { timeoutMs });
    try {
      await writeAll(conn, encoder.encode(request));
      await conn.closeWrite(); // FIN: we will send nothing more, but we keep reading
      after = await readToEnd(conn, timeoutMs, "client reading after its FIN");
    } finally {
      conn.close();
    }
  };
  if (options.around) await options.around(server.port, client);
  else await client();
  if (!after) {
    throw new Error("Cannot finish the half-close experiment: `around` never ran the client");
  }
  await withTimeout(server.close(), timeoutMs, "closing the server");
  if (serverErrors.length) throw serverErrors[0];
  return {
    port: server.port,
    request,
    serverReceived,
    serverSawEof,
    sentAfterFin: reply,
    clientReceivedAfterFin: text(after),
  };
}
