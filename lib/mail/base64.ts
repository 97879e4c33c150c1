/**
 * Base64 (RFC 4648 section 4), written out by hand so that a learner can see the 6-bit
 * groups: every 3 bytes become 4 characters of a 64-letter alphabet, and "=" pads
 * the last group.
 *
 * Two decoders, because two protocols need different things:
 * - {@linkcode decodeBase64} is strict (RFC 4648 3.3 and 3.5): SMTP AUTH and IMAP
 *   AUTHENTICATE must refuse what is not base64, with an error saying where;
 * - {@linkcode decodeBase64Mime} is tolerant (RFC 2045 6.8): a mail body is split into
 *   lines and may carry junk, which "must be ignored".
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Character code -> 6-bit value, or -1 for characters outside the alphabet. */
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Thrown by {@linkcode decodeBase64} for input that is not canonical base64. */
export class Base64Error extends SyntaxError {
  /** Index of the offending character in the input. */
  readonly position: number;
  constructor(reason: string, position: number) {
    super(`Cannot decode base64: ${reason} at position ${position}`);
    this.name = "Base64Error";
    this.position = position;
  }
}

/**
 * Encode bytes as base64 on one line.
 *
 * @example RFC 4648 section 10 test vector
 * ```ts
 * import { encodeBase64 } from "./base64.ts";
 * if (encodeBase64(new TextEncoder().encode("foobar")) !== "Zm9vYmFy") throw new Error();
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] +
      ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
  }
  return out;
}

/**
 * Encode bytes as base64 in lines of at most 76 characters, joined by CRLF, as a MIME
 * body must be (RFC 2045 6.8). No line break after the last line.
 */
export function encodeBase64Lines(bytes: Uint8Array, lineLength = 76): string {
  const flat = encodeBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += lineLength) lines.push(flat.slice(i, i + lineLength));
  return lines.join("\r\n");
}

/**
 * Decode strict base64: only the alphabet, length a multiple of 4, "=" only as final
 * padding, and unused bits zero (RFC 4648 3.5, so every input has one meaning).
 *
 * @throws {Base64Error} the input is not canonical base64; the message says where.
 *
 * @example Decode an AUTH PLAIN response
 * ```ts
 * import { decodeBase64 } from "./base64.ts";
 * const text = new TextDecoder().decode(decodeBase64("AHVzZXIAcGFzcw=="));
 * if (text !== "\0user\0pass") throw new Error();
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new Base64Error(`length ${text.length} is not a multiple of 4`, text.length);
  }
  let padding = 0;
  if (text.endsWith("==")) padding = 2;
  else if (text.endsWith("=")) padding = 1;
  const dataLength = text.length - padding;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < dataLength; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code] : -1;
    if (value < 0) {
      const what = text[i] === "=" ? '"=" before the end' : `character ${JSON.stringify(text[i])}`;
      throw new Base64Error(`unexpected ${what}`, i);
    }
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) {
    throw new Base64Error("non-zero bits after the last byte", dataLength - 1);
  }
  return out;
}

/**
 * Decode a base64 MIME body leniently: characters outside the alphabet (line breaks,
 * spaces, junk) are skipped as RFC 2045 6.8 asks, decoding stops at the first "=", and
 * a missing final padding is forgiven. Never throws.
 */
export function decodeBase64Mime(text: string | Uint8Array): Uint8Array {
  const length = text.length;
  const out = new Uint8Array(Math.ceil((length * 3) / 4));
  const codeAt = typeof text === "string"
    ? (i: number) => text.charCodeAt(i)
    : (i: number) => text[i];
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const code = codeAt(i);
    if (code === 0x3d) break; // "=": padding, the data is over
    const value = code < 128 ? VALUES[code] : -1;
    if (value < 0) continue;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.slice(0, o);
}
