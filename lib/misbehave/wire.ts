/**
 * How a misbehaving server puts bytes on the wire: with LF instead of CRLF, or cut into
 * tiny TCP writes, or as they are. Protocol code above it writes text (lines it may
 * rewrite) and raw bytes (IMAP literals, which keep their exact octets).
 *
 * @module
 */

import { writeAll } from "../net/mod.ts";

/** Options for {@linkcode Wire}. */
export interface WireOptions {
  /** End text lines with LF alone (the CR of every CRLF is dropped). Default false. */
  bareLf?: boolean;
  /**
   * Cut every write into pieces: `1` sends one byte per TCP write, `"random"` pieces of
   * 1 to 7 bytes (a fixed pseudo-random sequence, so a run can be repeated). Default: whole.
   */
  pieces?: 1 | "random";
}

/** Anything we can write to and switch Nagle's algorithm off on (a `Deno.TcpConn`). */
export interface WireConn {
  write(bytes: Uint8Array): Promise<number>;
  setNoDelay?(noDelay?: boolean): void;
}

const encoder = new TextEncoder();

/** Drop the CR of every CRLF. */
export function toBareLf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) continue;
    out[o++] = bytes[i];
  }
  return out.subarray(0, o);
}

/**
 * A connection's sending side, with the scenario's wire faults applied.
 *
 * @example Two lines, LF-only
 * ```ts
 * import { Wire } from "./wire.ts";
 * const sent: number[] = [];
 * const conn = { write: (b: Uint8Array) => { sent.push(...b); return Promise.resolve(b.length); } };
 * await new Wire(conn, { bareLf: true }).text("250-a\r\n250 b\r\n");
 * if (new TextDecoder().decode(new Uint8Array(sent)) !== "250-a\n250 b\n") throw new Error();
 * ```
 */
export class Wire {
  readonly #conn: WireConn;
  readonly #options: WireOptions;
  #seed = 7;

  constructor(conn: WireConn, options: WireOptions = {}) {
    this.#conn = conn;
    this.#options = options;
    // Small writes must leave as small segments, not be merged by Nagle's algorithm.
    if (options.pieces) conn.setNoDelay?.(true);
  }

  /** Send protocol text (lines ending in CRLF); a bare-LF wire drops the CRs. */
  async text(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    await this.raw(this.#options.bareLf ? toBareLf(bytes) : bytes);
  }

  /** Send bytes exactly as given (a literal's octets), cut into pieces if the scenario says so. */
  async raw(bytes: Uint8Array): Promise<void> {
    if (!this.#options.pieces) return await writeAll(this.#conn, bytes);
    for (let at = 0; at < bytes.length;) {
      const size = this.#options.pieces === 1 ? 1 : this.#nextPiece();
      await writeAll(this.#conn, bytes.subarray(at, at + size));
      at += size;
    }
  }

  /** 1 to 7, from a small linear congruential generator. */
  #nextPiece(): number {
    this.#seed = (this.#seed * 1103515245 + 12345) % 2147483648;
    return 1 + (this.#seed >> 16) % 7;
  }
}
