/**
 * Small socket helpers for the experiments: read to end of stream with a deadline, and
 * name what a read or write reported.
 *
 * @module
 */

import { withTimeout } from "../net/mod.ts";

/**
 * Read until the peer's FIN (end of stream), each read with a deadline.
 * Returns the chunks as they arrived.
 */
export async function readToEnd(
  conn: Deno.Conn,
  timeoutMs: number,
  what = "reading until the peer closes",
): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(16 * 1024);
  while (true) {
    const n = await withTimeout(conn.read(buffer), timeoutMs, what);
    if (n === null) return chunks;
    chunks.push(buffer.slice(0, n));
  }
}

/** What one read reported, in the words the chapter uses: `"EOF"`, `"ConnectionReset"`, `"5 bytes"`. */
export async function describeRead(conn: Deno.Conn, timeoutMs: number): Promise<string> {
  try {
    const n = await withTimeout(
      conn.read(new Uint8Array(1024)),
      timeoutMs,
      "reading from the peer",
    );
    return n === null ? "EOF" : `${n} bytes`;
  } catch (error) {
    return errorName(error);
  }
}

/** What one write reported: `"ok"` or the error's name (`"BrokenPipe"`, `"ConnectionReset"`). */
export async function describeWrite(
  conn: Deno.Conn,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<string> {
  try {
    await withTimeout(conn.write(bytes), timeoutMs, "writing to the peer");
    return "ok";
  } catch (error) {
    return errorName(error);
  }
}

/** The name of an error, for tables: Deno's error classes are named after the OS error. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}
