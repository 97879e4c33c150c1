/**
 * Multi-line responses: byte-stuffing on the way out, un-stuffing on the way in.
 *
 * RFC 1939 section 3: "each line is terminated by a CRLF pair. If any line of the
 * multi-line response begins with the termination octet, the line is 'byte-stuffed' by
 * pre-pending the termination octet to that line ... a multi-line response is terminated
 * with the five octets CRLF.CRLF". SMTP's DATA does the same (RFC 5321 4.5.2).
 *
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const encoder = new TextEncoder();

/**
 * Byte-stuffing for a stored message as it streams from its file: feed it chunks of the
 * file with {@linkcode MultilineEncoder.push}, finish with {@linkcode MultilineEncoder.end}.
 * Each call returns the wire bytes for what it was given, so the server never holds the
 * whole message, whatever its size (RETR and TOP, RFC 1939 7).
 *
 * Line endings: a stored line ending in bare LF (Maildirs written by Postfix or Dovecot
 * keep LF) is sent with CRLF, because the wire format is CRLF (RFC 1939 3). A message
 * stored with CRLF therefore comes back byte for byte; one stored with bare LF comes
 * back with CRLF, as from every other POP3 server. A last line without any ending gets
 * CRLF, since the terminator must start a line. A CR not followed by LF is data and is
 * sent as it is. A chunk may end anywhere, even between a CR and its LF: the encoder
 * holds that CR until it sees the next byte.
 *
 * @example Two chunks split between CR and LF
 * ```ts
 * import { MultilineEncoder } from "./multiline.ts";
 * const e = new MultilineEncoder();
 * const text = (b: Uint8Array) => new TextDecoder().decode(b);
 * const wire = text(e.push(new TextEncoder().encode(".a\r"))) +
 *   text(e.push(new TextEncoder().encode("\nb"))) + text(e.end());
 * if (wire !== "..a\r\nb\r\n.\r\n") throw new Error(JSON.stringify(wire));
 * ```
 */
export class MultilineEncoder {
  readonly #limit: number | undefined;
  #atLineStart = true;
  /** The current line has content bytes (so it is not the blank line ending the header). */
  #lineHasContent = false;
  /** The last chunk ended with a CR whose next byte is not known yet. */
  #pendingCr = false;
  #inBody = false;
  #bodyLines = 0;
  #done = false;

  /**
   * @param limit if given, send the header, the blank line and only this many body
   * lines (TOP, RFC 1939 7).
   */
  constructor(limit?: number) {
    this.#limit = limit;
  }

  /** True once TOP's line count is reached: the rest of the file need not be read. */
  get done(): boolean {
    return this.#done;
  }

  /** The wire bytes for the next chunk of the stored message. */
  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(MultilineEncoder.maxOutput(chunk.length));
    return out.subarray(0, this.pushInto(chunk, out, 0));
  }

  /** The most bytes {@linkcode MultilineEncoder.pushInto} can write for a chunk of `length`. */
  static maxOutput(length: number): number {
    // Worst case every byte is an LF (sent as CRLF), plus a held CR and a stuffed dot.
    return length * 2 + 2;
  }

  /**
   * {@linkcode MultilineEncoder.push}, writing into `out` from `offset` instead of a new
   * array (a server reuses one buffer for every reply); `out` must have room for
   * {@linkcode MultilineEncoder.maxOutput} bytes. Returns the offset after the bytes written.
   */
  pushInto(chunk: Uint8Array, out: Uint8Array, offset: number): number {
    if (out.length - offset < MultilineEncoder.maxOutput(chunk.length)) {
      throw new RangeError("Cannot encode: the output buffer is too small for this chunk");
    }
    let o = offset;
    let i = 0;
    while (i < chunk.length && !this.#done) {
      if (this.#atLineStart) {
        if (this.#inBody && this.#limit !== undefined && this.#bodyLines >= this.#limit) {
          this.#done = true;
          break;
        }
        if (chunk[i] === DOT) out[o++] = DOT; // byte-stuffing (RFC 1939 3)
        this.#atLineStart = false;
        this.#lineHasContent = false;
      }
      if (this.#pendingCr) {
        this.#pendingCr = false;
        if (chunk[i] !== LF) { // the held CR was data after all
          out[o++] = CR;
          this.#lineHasContent = true;
        }
      }
      const lf = chunk.indexOf(LF, i);
      const stop = lf < 0 ? chunk.length : lf;
      const crAtStop = stop > i && chunk[stop - 1] === CR;
      const end = crAtStop ? stop - 1 : stop;
      if (end > i) {
        out.set(chunk.subarray(i, end), o);
        o += end - i;
        this.#lineHasContent = true;
      }
      if (lf < 0) { // the line goes on in the next chunk; a CR at the end waits for its LF
        this.#pendingCr = crAtStop;
        break;
      }
      out[o++] = CR;
      out[o++] = LF;
      if (this.#inBody) this.#bodyLines++;
      else if (!this.#lineHasContent) this.#inBody = true; // the blank line ends the header (RFC 5322 2.1)
      this.#atLineStart = true;
      i = lf + 1;
    }
    return o;
  }

  /** The last bytes: a CRLF for a last line without one, then the terminator "." CRLF. */
  end(): Uint8Array {
    const out: number[] = [];
    if (!this.#done) {
      if (this.#pendingCr) out.push(CR);
      if (!this.#atLineStart) out.push(CR, LF);
    }
    out.push(DOT, CR, LF);
    this.#done = true;
    return Uint8Array.from(out);
  }
}

/**
 * The body of a multi-line response for a whole stored message in memory: what
 * {@linkcode MultilineEncoder} sends for it, in one piece.
 *
 * @param limit if given, send the header, the blank line and only this many body lines
 * (TOP, RFC 1939 7).
 *
 * @example
 * ```ts
 * import { encodeMessage } from "./multiline.ts";
 * const wire = new TextDecoder().decode(encodeMessage(new TextEncoder().encode("a\n.b\n")));
 * if (wire !== "a\r\n..b\r\n.\r\n") throw new Error(JSON.stringify(wire));
 * ```
 */
export function encodeMessage(message: Uint8Array, limit?: number): Uint8Array {
  const encoder = new MultilineEncoder(limit);
  const body = encoder.push(message);
  const end = encoder.end();
  const out = new Uint8Array(body.length + end.length);
  out.set(body);
  out.set(end, body.length);
  return out;
}

/**
 * Text lines as a stuffed multi-line body with its terminator, for LIST, UIDL and CAPA.
 *
 * @example
 * ```ts
 * import { stuffLines } from "./multiline.ts";
 * if (stuffLines(["1 120"]).join("|") !== "1 120|.") throw new Error("unexpected");
 * ```
 */
export function stuffLines(lines: readonly string[]): string[] {
  return [...lines.map((line) => line.startsWith(".") ? "." + line : line), "."];
}

/**
 * Undo byte-stuffing on one received line (its bytes without CRLF).
 *
 * @returns the line's content, or `null` when the line is the terminator ".".
 *
 * @example
 * ```ts
 * import { unstuffLine } from "./multiline.ts";
 * const line = unstuffLine(new TextEncoder().encode("..hidden"));
 * if (new TextDecoder().decode(line!) !== ".hidden") throw new Error("unexpected");
 * if (unstuffLine(new TextEncoder().encode(".")) !== null) throw new Error("unexpected");
 * ```
 */
export function unstuffLine(bytes: Uint8Array): Uint8Array | null {
  if (bytes[0] !== DOT) return bytes;
  if (bytes.length === 1) return null;
  return bytes.subarray(1);
}

/**
 * Join received lines back into a message: each line plus CRLF, the way it was stored.
 *
 * @example
 * ```ts
 * import { joinLines } from "./multiline.ts";
 * const e = new TextEncoder();
 * if (joinLines([e.encode("a"), e.encode("b")]).length !== 6) throw new Error("unexpected");
 * ```
 */
export function joinLines(lines: readonly Uint8Array[]): Uint8Array {
  const total = lines.reduce((sum, line) => sum + line.length + 2, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const line of lines) {
    out.set(line, o);
    o += line.length;
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

/** Encode text as UTF-8 (a small helper the tests and notebook share). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
