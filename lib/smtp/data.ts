/**
 * The DATA block: a message sent as lines, ended by a line holding one dot.
 *
 * RFC 5321 4.1.1.4 and 4.5.2: the sender doubles a dot at the start of a line
 * ("dot-stuffing"), ends the message with CRLF "." CRLF, and the receiver removes one
 * leading dot from each line. The end of data is CRLF.CRLF and nothing else: a server
 * that also ends data at LF "." LF can be fed a second, smuggled message inside the first
 * (SMTP smuggling, 2023; RFC 5321 2.3.8 says lines end with CRLF only). So this reader
 * refuses a message containing a bare CR or LF, and when the sender's idea of the end
 * could differ from ours (a lone "." line next to a bare LF), it tells the server to
 * close the connection rather than guess.
 *
 * @module
 */

import type { LineReader } from "../net/mod.ts";
import { SmtpError } from "./error.ts";

/** Limits for {@linkcode readDataBlock} and {@linkcode DataBlockDecoder}. */
export interface DataLimits {
  /** Largest message accepted, in bytes after un-stuffing (the SIZE we advertise). */
  maxSize: number;
  /**
   * Longest text line, in bytes without CRLF. Default: the reader's line cap for
   * {@linkcode readDataBlock}, 1000 for a decoder (RFC 5321 4.5.3.1.6 counts 1000 with CRLF).
   */
  maxLineLength?: number;
}

/** What came of reading a DATA block. */
export type DataResult =
  | { kind: "message"; bytes: Uint8Array }
  /** Read to the end and refused: reply with `error`; when `close` is set, close the connection too. */
  | { kind: "refused"; error: SmtpError; close: boolean }
  /** The peer closed the connection before the end of data: nothing may be stored. */
  | { kind: "vanished" };

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/**
 * A byte buffer that grows by doubling, up to a cap: the message being received. Its
 * memory follows the message's size, never its number of lines.
 */
class GrowingBuffer {
  #bytes: Uint8Array;
  #length: number;

  /** `head`: the first bytes of the content, taken as they are (no copy). */
  constructor(readonly cap: number, head: Uint8Array) {
    this.#bytes = head;
    this.#length = head.length;
  }

  /**
   * Make room for `count` more bytes (at most up to the cap) in one allocation: a chunk
   * about to be scanned bounds what it can add, and a message that arrives in one chunk
   * then gets a buffer of its size.
   */
  reserve(count: number): void {
    this.#grow(Math.min(this.cap, this.#length + count));
  }

  append(bytes: Uint8Array): void {
    this.#grow(this.#length + bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  #grow(needed: number): void {
    if (needed <= this.#bytes.length) return;
    const bigger = new Uint8Array(Math.max(needed, Math.min(this.cap, this.#bytes.length * 2)));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }

  /** Drop the content and its memory. */
  clear(): void {
    this.#bytes = new Uint8Array(0);
    this.#length = 0;
  }

  /** The content (a view, no copy). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }
}

/**
 * The DATA block's framing as a pure state machine over chunks of bytes: feed it what
 * arrived with {@linkcode DataBlockDecoder.push}, which consumes whole lines only and says
 * how many bytes it used; {@linkcode DataBlockDecoder.result} is set once the end of data
 * (or a reason to close) was seen. Bytes after the end belong to the next command.
 *
 * Lines are found in one pass over the chunk and copied in runs: no object per line, so
 * a million empty lines cost what a megabyte of text costs (issue: one `Uint8Array` per
 * line once made 1 MiB of empty lines cost 300 MB).
 *
 * The rules are RFC 5321's: lines end with CRLF (2.3.8), a leading dot is removed
 * (4.5.2), CRLF "." CRLF ends the data (4.1.1.4), a text line is at most 1000 octets with
 * its CRLF (4.5.3.1.6), the message at most the advertised SIZE (RFC 1870). A message
 * that breaks one is read to its end and refused; the first broken rule names the reply.
 *
 * @example
 * ```ts
 * import { DataBlockDecoder } from "./data.ts";
 * const decoder = new DataBlockDecoder({ maxSize: 100 });
 * const wire = new TextEncoder().encode("..hi\r\n.\r\nQUIT\r\n");
 * const used = decoder.push(wire);
 * const result = decoder.result;
 * if (result?.kind !== "message" || used !== 9) throw new Error("unexpected");
 * if (new TextDecoder().decode(result.bytes) !== ".hi\r\n") throw new Error("unexpected");
 * ```
 */
export class DataBlockDecoder {
  readonly #maxSize: number;
  readonly #maxLineLength: number;
  readonly #message: GrowingBuffer;
  #size = 0;
  #error: SmtpError | undefined;
  #lineNumber = 0;
  /** Whether the line before ended with CRLF (the DATA command line did). */
  #previousCrlf = true;
  /** Bytes of an overlong line already skipped. */
  #skipped = 0;
  #result: DataResult | undefined;

  /**
   * @param head bytes the stored message begins with, before what the client sends (the
   * server's `Received:` line), so the message is put together in one buffer.
   */
  constructor(limits: DataLimits, head: Uint8Array = new Uint8Array(0)) {
    this.#maxSize = limits.maxSize;
    this.#maxLineLength = limits.maxLineLength ?? 1000;
    this.#message = new GrowingBuffer(head.length + limits.maxSize, head);
  }

  /** Set once the block ended: the message, or the refusal to send. */
  get result(): DataResult | undefined {
    return this.#result;
  }

  /**
   * Take the complete lines at the start of `bytes` (stopping after the end of data)
   * and return how many bytes were used. An incomplete last line is left for the next
   * call, with more bytes after it; of an overlong one, all but its last byte are used.
   */
  push(bytes: Uint8Array): number {
    let at = 0; // where the current line starts
    let bareCr = false; // the current line holds a CR that no LF follows
    let nul = false; // the current line holds a NUL
    let runFrom = 0; // bytes[runFrom, runTo) go into the message, not yet copied
    let runTo = 0;
    const flush = () => {
      if (runTo > runFrom) this.#message.append(bytes.subarray(runFrom, runTo));
      runFrom = runTo = 0;
    };
    if (this.#error === undefined) this.#message.reserve(bytes.length);
    // One pass over the bytes, looking closer only at NUL, CR and LF (all at most 13):
    // cheaper than searching the chunk for each of them line by line.
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte > CR) continue;
      if (byte === CR) {
        if (i + 1 < bytes.length && bytes[i + 1] !== LF) bareCr = true;
        continue;
      }
      if (byte === 0) nul = true;
      if (byte !== LF) continue;
      const lf = i; // a line: bytes[at, lf], its ending included
      const crlf = lf > at && bytes[lf - 1] === CR;
      const end = crlf ? lf - 1 : lf;
      const length = this.#skipped + end - at;
      this.#skipped = 0;
      this.#lineNumber++;
      if (length > this.#maxLineLength) {
        this.#refuse(
          552,
          "5.3.4",
          `Message line ${this.#lineNumber} too long (${length} bytes)`,
        );
        this.#previousCrlf = true;
      } else if (end - at === 1 && bytes[at] === DOT) { // a lone "."
        if (crlf && this.#previousCrlf) { // CRLF "." CRLF: the one true end of data
          flush();
          this.#result = this.#error
            ? { kind: "refused", error: this.#error, close: false }
            : { kind: "message", bytes: this.#message.bytes() };
        } else { // LF "." LF and friends: the sender may believe the message ended here
          this.#result = {
            kind: "refused",
            error: new SmtpError(
              554,
              "5.6.11",
              `Bare LF next to "." on line ${this.#lineNumber}: closing (SMTP smuggling guard)`,
            ),
            close: true,
          };
          this.#message.clear();
        }
        return lf + 1;
      } else {
        this.#previousCrlf = crlf;
        if (this.#error === undefined) {
          if (!crlf) {
            this.#refuse(
              554,
              "5.6.11",
              `Bare LF on line ${this.#lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
            );
          } else if (bareCr) {
            this.#refuse(
              554,
              "5.6.11",
              `Bare CR on line ${this.#lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
            );
          } else if (nul) {
            this.#refuse(
              554,
              "5.6.0",
              `NUL byte on line ${this.#lineNumber} (RFC 5322 2.1 forbids it)`,
            );
          }
        }
        if (this.#error === undefined) {
          const from = bytes[at] === DOT ? at + 1 : at; // un-stuff one dot
          this.#size += lf + 1 - from;
          if (this.#size > this.#maxSize) {
            this.#refuse(
              552,
              "5.3.4",
              `Message exceeds the fixed maximum size of ${this.#maxSize} bytes`,
            );
          } else if (from === runTo) {
            runTo = lf + 1; // the line continues the run
          } else {
            flush();
            runFrom = from;
            runTo = lf + 1;
          }
        }
      }
      at = lf + 1;
      bareCr = nul = false;
    }
    const pending = bytes.length - at;
    if (pending > this.#maxLineLength + 1) {
      // No end in sight and too long already: skip it, keeping the last byte (it may be the CR).
      this.#skipped += pending - 1;
      at = bytes.length - 1;
    }
    if (this.#error === undefined) flush();
    return at;
  }

  /** Keep the first error (its reply is sent once the block ended) and drop the message. */
  #refuse(code: number, enhanced: string, text: string): void {
    if (this.#error) return;
    this.#error = new SmtpError(code, enhanced, text);
    this.#message.clear();
  }
}

/**
 * Read a dot-terminated block after the server's 354 reply, un-stuffing dots.
 *
 * The bytes are scanned in the reader's buffer by a {@linkcode DataBlockDecoder}, chunk
 * by chunk, so memory is the message (at most `maxSize`) plus the reader's buffer,
 * however many lines it has. The message is kept only when every line ended with CRLF,
 * no line held a bare CR or a NUL, no line was longer than the reader's cap, and the
 * total stayed under `maxSize`. Otherwise the rest of the block is read and thrown away,
 * and the result says which reply the RFC prescribes (552 for size, 554 for bad content).
 * Bytes after the end of data stay in the reader for the next command. `head`, if given,
 * begins the message's bytes (see {@linkcode DataBlockDecoder}'s constructor).
 *
 * @throws {IdleTimeoutError} the client stalled (from the line reader).
 *
 * @example
 * ```ts
 * import { LineReader } from "../net/mod.ts";
 * import { readDataBlock } from "./data.ts";
 * const bytes = new TextEncoder().encode("Subject: hi\r\n\r\n..dot\r\n.\r\n");
 * let sent = false;
 * const reader = new LineReader({ read: (b) => {
 *   if (sent) return Promise.resolve(null);
 *   b.set(bytes); sent = true; return Promise.resolve(bytes.length);
 * } });
 * const result = await readDataBlock(reader, { maxSize: 1000 });
 * if (result.kind !== "message") throw new Error(result.kind);
 * if (new TextDecoder().decode(result.bytes) !== "Subject: hi\r\n\r\n.dot\r\n") throw new Error();
 * ```
 */
export async function readDataBlock(
  reader: LineReader,
  limits: DataLimits,
  head?: Uint8Array,
): Promise<DataResult> {
  const decoder = new DataBlockDecoder({
    maxSize: limits.maxSize,
    maxLineLength: limits.maxLineLength ?? reader.maxLineLength,
  }, head);
  while (true) {
    reader.consume(decoder.push(reader.peek()));
    if (decoder.result) return decoder.result;
    if (!(await reader.readMore())) return { kind: "vanished" };
  }
}

/**
 * Encode a message for DATA: line endings made CRLF (a lone LF or CR becomes CRLF, as
 * Go's textproto.DotWriter does), a dot doubled at the start of each line, a final CRLF
 * added when missing, and the end marker "." CRLF appended.
 *
 * @example
 * ```ts
 * import { encodeDataBlock } from "./data.ts";
 * const out = new TextDecoder().decode(encodeDataBlock(new TextEncoder().encode(".hidden\nend")));
 * if (out !== "..hidden\r\nend\r\n.\r\n") throw new Error(JSON.stringify(out));
 * ```
 */
export function encodeDataBlock(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length * 2 + 5);
  let at = 0;
  let lineStart = true;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i];
    if (byte === 13 || byte === 10) {
      if (byte === 13 && message[i + 1] === 10) i++; // CRLF counts once
      out[at++] = 13;
      out[at++] = 10;
      lineStart = true;
      continue;
    }
    if (lineStart && byte === 0x2e) out[at++] = 0x2e;
    out[at++] = byte;
    lineStart = false;
  }
  if (!lineStart) {
    out[at++] = 13;
    out[at++] = 10;
  }
  out.set([0x2e, 13, 10], at);
  return out.subarray(0, at + 3);
}
