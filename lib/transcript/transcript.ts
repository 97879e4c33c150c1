/**
 * A transcript: every chunk of bytes that crossed a connection, in order, with its
 * direction, time and size. Any protocol session can attach one (see {@linkcode tap}),
 * and the visualisation helpers turn it into a sequence diagram or a chart.
 *
 * Chunks are recorded as the sockets saw them (one `write` on one side may arrive as
 * several `read`s on the other); {@linkcode Transcript.lines} regroups them into lines.
 *
 * @module
 */

import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../viz/display.ts";

/** One read or write on a tapped connection. */
export interface TranscriptEntry {
  /** Who sent the bytes, e.g. `"client"`. */
  from: string;
  /** Who received them, e.g. `"server"`. */
  to: string;
  /** Milliseconds since the transcript started. */
  at: number;
  /** The bytes themselves. */
  bytes: Uint8Array;
}

/** One protocol line, regrouped from entries. */
export interface TranscriptLine {
  from: string;
  to: string;
  /** Time of the entry that completed the line. */
  at: number;
  /** The line without its ending. */
  text: string;
  /** Bytes on the wire, ending included. */
  size: number;
}

const decoder = new TextDecoder();

/**
 * Records what crossed a connection.
 *
 * @example Record a tiny exchange by hand
 * ```ts
 * import { Transcript } from "./transcript.ts";
 * const t = new Transcript();
 * t.record("client", "server", new TextEncoder().encode("HELLO\r\n"));
 * t.record("server", "client", new TextEncoder().encode("+OK hi\r\n"));
 * if (t.lines().length !== 2 || t.bytesFrom("client") !== 7) throw new Error("unexpected");
 * ```
 */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  /**
   * The `performance.now()` that entry times count from. Transcripts sharing one origin
   * can be laid on one timeline (several connections of one journey, say).
   */
  readonly origin: number;

  constructor(options: { origin?: number } = {}) {
    this.origin = options.origin ?? performance.now();
  }

  /** Add one chunk. The bytes are copied, so the caller may reuse its buffer. */
  record(from: string, to: string, bytes: Uint8Array): void {
    this.entries.push({ from, to, at: performance.now() - this.origin, bytes: bytes.slice() });
  }

  /** Bytes sent by `who` (all senders when omitted). */
  bytesFrom(who?: string): number {
    return this.entries
      .filter((e) => who === undefined || e.from === who)
      .reduce((sum, e) => sum + e.bytes.length, 0);
  }

  /**
   * The entries regrouped into lines per direction. A line is complete at LF; bytes
   * after the last LF of a direction form a final partial line.
   */
  lines(): TranscriptLine[] {
    const out: TranscriptLine[] = [];
    const pending = new Map<string, { bytes: number[]; from: string; to: string }>();
    for (const entry of this.entries) {
      const key = `${entry.from}\u0000${entry.to}`;
      let open = pending.get(key);
      if (!open) pending.set(key, open = { bytes: [], from: entry.from, to: entry.to });
      for (const byte of entry.bytes) {
        open.bytes.push(byte);
        if (byte === 0x0a) {
          out.push(toLine(open.bytes, entry.from, entry.to, entry.at));
          open.bytes = [];
        }
      }
    }
    for (const open of pending.values()) {
      if (open.bytes.length) out.push(toLine(open.bytes, open.from, open.to, this.#lastAt()));
    }
    return out;
  }

  /** Plain text, one line per row: `C: EHLO me`, the way RFCs print dialogues. */
  toString(): string {
    return this.lines().map((l) => `${l.from.charAt(0).toUpperCase()}: ${l.text}`).join("\n");
  }

  /** In a notebook: the dialogue as text, client lines and server lines in two colours. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const lines = this.lines();
    const rows = lines.map((l) => {
      const colour = l.from === lines[0].from ? "#2e7d32" : "#1565c0";
      return `<span style="color:${colour}">${escapeHtml(l.from.charAt(0).toUpperCase())}: ${
        escapeHtml(l.text)
      }</span>`;
    });
    return { "text/html": `<pre>${rows.join("\n")}</pre>`, "text/plain": this.toString() };
  }

  #lastAt(): number {
    return this.entries.at(-1)?.at ?? 0;
  }
}

function toLine(bytes: number[], from: string, to: string, at: number): TranscriptLine {
  const size = bytes.length;
  let end = size;
  if (bytes[end - 1] === 0x0a) end--;
  if (bytes[end - 1] === 0x0d) end--;
  return { from, to, at, text: decoder.decode(new Uint8Array(bytes.slice(0, end))), size };
}

/** The part of a connection a transcript needs to see. */
export interface Duplex {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Wrap a connection so that every read and write lands in `transcript`.
 * `local` names this end (who writes), `remote` the peer (who is read from).
 *
 * @example
 * ```ts
 * import { tap, Transcript } from "./transcript.ts";
 * const t = new Transcript();
 * const fake = { read: () => Promise.resolve(null), write: (b: Uint8Array) => Promise.resolve(b.length) };
 * const conn = tap(fake, t, "client", "server");
 * await conn.write(new TextEncoder().encode("QUIT\r\n"));
 * if (t.toString() !== "C: QUIT") throw new Error("unexpected");
 * ```
 */
export function tap<T extends Duplex>(
  conn: T,
  transcript: Transcript,
  local: string,
  remote: string,
): T {
  return new Proxy(conn, {
    get(target, property) {
      if (property === "read") {
        return async (buffer: Uint8Array) => {
          const n = await target.read(buffer);
          if (n) transcript.record(remote, local, buffer.subarray(0, n));
          return n;
        };
      }
      if (property === "write") {
        return async (bytes: Uint8Array) => {
          const n = await target.write(bytes);
          transcript.record(local, remote, bytes.subarray(0, n));
          return n;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
