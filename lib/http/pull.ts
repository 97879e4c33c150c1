/**
 * HTTP, which the notes call the typical *pull* protocol, on loopback: the reader opens
 * the connection and asks (`GET`), the server answers that one question and says nothing
 * on its own. Just enough HTTP/1.1 (RFC 9112) to record such an exchange for chapter 3's
 * comparison with SMTP, where the side that has mail connects and pushes it.
 *
 * @module
 */

import { connectLoopback, LineReader, serveLoopback, withTimeout, writeAll } from "../net/mod.ts";
import { tap, Transcript } from "../transcript/transcript.ts";

/** What the exchange showed. */
export interface PullResult {
  /** Both directions, as the client saw them. */
  transcript: Transcript;
  /** The status line of the answer, e.g. `"HTTP/1.1 200 OK"`. */
  status: string;
  body: string;
  /** Who sent the first byte on the connection. */
  firstSender: string;
}

const encoder = new TextEncoder();

/**
 * A reader pulls its mailbox listing over HTTP from a server on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { httpPullExperiment } from "./pull.ts";
 * const { firstSender, status } = await httpPullExperiment({ listing: "2 messages" });
 * if (firstSender !== "client" || status !== "HTTP/1.1 200 OK") throw new Error(status);
 * ```
 */
export async function httpPullExperiment(
  options: { listing?: string; timeoutMs?: number } = {},
): Promise<PullResult> {
  const listing = options.listing ?? "3 messages waiting\n";
  const timeoutMs = options.timeoutMs ?? 3000;
  await using server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn, { idleTimeoutMs: timeoutMs });
    // The request head ends with an empty line; only then does the server answer.
    for (let line; (line = await reader.readLine()) !== null && line.text !== "";) { /* headers */ }
    const body = encoder.encode(listing);
    await writeAll(
      conn,
      encoder.encode(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      ),
    );
    await writeAll(conn, body);
  });
  const transcript = new Transcript();
  const conn = tap(
    await connectLoopback(server.port, { timeoutMs }),
    transcript,
    "client",
    "server",
  );
  try {
    await writeAll(
      conn,
      encoder.encode(
        `GET /inbox HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(4096);
    while ((await withTimeout(conn.read(buffer), timeoutMs, "reading the HTTP answer")) !== null) {
      // the transcript keeps what arrives
    }
  } finally {
    conn.close();
  }
  const answer = transcript.entries.filter((e) => e.from === "server")
    .map((e) => new TextDecoder().decode(e.bytes)).join("");
  return {
    transcript,
    status: answer.split("\r\n")[0],
    body: answer.slice(answer.indexOf("\r\n\r\n") + 4),
    firstSender: transcript.entries[0]?.from ?? "nobody",
  };
}
