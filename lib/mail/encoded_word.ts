/**
 * Encoded words (RFC 2047): non-ASCII text in header fields that must stay 7-bit, such
 * as a Chinese subject: `=?UTF-8?B?55S15a2Q6YKu5Lu2?=`.
 *
 * An encoded word is `=?charset?encoding?text?=`, where encoding is B (base64) or Q (a
 * quoted-printable variant, "_" for space). Section 2: one word is at most 75
 * characters, so long text becomes several words separated by folding white space;
 * section 5: a multi-byte character must not be split between two words.
 *
 * @module
 */
import { decodeBase64Mime, encodeBase64 } from "./base64.ts";
import { charsetLabel, decodeCharset } from "./charset.ts";

const encoder = new TextEncoder();

/** RFC 2047 section 2: "An 'encoded-word' may not be more than 75 characters long". */
export const MAX_ENCODED_WORD = 75;

/** Characters Q may leave as they are in any header position (RFC 2047 5(3)). */
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;

/** Options of {@linkcode encodeWords}. */
export interface EncodeWordsOptions {
  /** "B" (base64) or "Q"; default: whichever is shorter for this text. */
  encoding?: "B" | "Q";
}

function qEncodeChar(char: string): string {
  if (char === " ") return "_";
  if (Q_SAFE.test(char)) return char;
  let out = "";
  for (const b of encoder.encode(char)) out += "=" + b.toString(16).toUpperCase().padStart(2, "0");
  return out;
}

/** Split text into encoded words that each fit in 75 characters. */
function encodeChunks(text: string, encoding: "B" | "Q"): string[] {
  const room = MAX_ENCODED_WORD - `=?UTF-8?${encoding}??=`.length;
  const words: string[] = [];
  let chunk = ""; // characters of the current word
  let size = 0; // bytes (B) or encoded characters (Q) of the current word
  const cost = (char: string) =>
    encoding === "Q" ? qEncodeChar(char).length : encoder.encode(char).length;
  const fits = (n: number) => (encoding === "Q" ? n : Math.ceil(n / 3) * 4) <= room;
  // Iterating a string yields whole code points, so a character is never split.
  for (const char of text) {
    const c = cost(char);
    if (chunk && !fits(size + c)) {
      words.push(chunk);
      chunk = "";
      size = 0;
    }
    chunk += char;
    size += c;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) =>
    encoding === "B"
      ? `=?UTF-8?B?${encodeBase64(encoder.encode(w))}?=`
      : `=?UTF-8?Q?${[...w].map(qEncodeChar).join("")}?=`
  );
}

/**
 * Encode text as UTF-8 encoded words, each at most 75 characters, split only between
 * characters. Returns them joined by a space, ready for header folding.
 *
 * @example
 * ```ts
 * import { encodeWords } from "./encoded_word.ts";
 * const words = encodeWords("电子邮件协议学习笔记", { encoding: "B" });
 * if (words !== "=?UTF-8?B?55S15a2Q6YKu5Lu25Y2P6K6u5a2m5Lmg56yU6K6w?=") throw new Error(words);
 * ```
 */
export function encodeWords(text: string, options: EncodeWordsOptions = {}): string {
  if (options.encoding) return encodeChunks(text, options.encoding).join(" ");
  const b = encodeChunks(text, "B").join(" ");
  const q = encodeChunks(text, "Q").join(" ");
  return q.length <= b.length ? q : b;
}

/** Does this header text need encoded words (non-ASCII, or something that looks like one)? */
export function needsEncoding(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[^\x00-\x7f]/.test(text) || text.includes("=?");
}

/**
 * Encode header text only if needed: plain ASCII comes back unchanged.
 *
 * @example
 * ```ts
 * import { encodeHeaderText } from "./encoded_word.ts";
 * if (encodeHeaderText("Hello") !== "Hello") throw new Error();
 * if (encodeHeaderText("Grüße", { encoding: "Q" }) !== "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=") {
 *   throw new Error();
 * }
 * ```
 */
export function encodeHeaderText(text: string, options: EncodeWordsOptions = {}): string {
  return needsEncoding(text) ? encodeWords(text, options) : text;
}

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

interface DecodedWord {
  start: number;
  end: number;
  charset: string;
  bytes: Uint8Array;
}

function decodeQ(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "_") out.push(0x20);
    else if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...encoder.encode(c));
  }
  return new Uint8Array(out);
}

/**
 * Decode every encoded word in a header value (RFC 2047 section 6). White space between
 * two adjacent encoded words is dropped (6.2). Adjacent words in the same charset are
 * joined before decoding, which repairs senders that split a character across words.
 * Malformed words (unknown charset, bad base64) are left as they are.
 *
 * @example The examples of RFC 2047 section 8
 * ```ts
 * import { decodeWords } from "./encoded_word.ts";
 * if (decodeWords("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") !== "Keld Jørn Simonsen") throw new Error();
 * if (decodeWords("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") !== "(ab)") throw new Error();
 * ```
 */
export function decodeWords(value: string): string {
  const words: DecodedWord[] = [];
  for (const match of value.matchAll(WORD)) {
    // RFC 2231 section 5: a language may follow the charset, "UTF-8*en".
    const charset = match[1].split("*")[0];
    if (!charsetLabel(charset)) continue;
    const encoded = match[3];
    let bytes: Uint8Array;
    if (match[2].toUpperCase() === "B") {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) continue;
      bytes = decodeBase64Mime(encoded);
    } else {
      bytes = decodeQ(encoded);
    }
    words.push({ start: match.index, end: match.index + match[0].length, charset, bytes });
  }
  if (words.length === 0) return value;
  let out = "";
  let position = 0;
  for (let i = 0; i < words.length;) {
    // Join a run of adjacent words (only white space between) in one charset.
    let j = i;
    const parts = [words[i].bytes];
    while (
      j + 1 < words.length &&
      /^[ \t\r\n]*$/.test(value.slice(words[j].end, words[j + 1].start)) &&
      charsetLabel(words[j + 1].charset) === charsetLabel(words[i].charset)
    ) {
      parts.push(words[++j].bytes);
    }
    out += value.slice(position, words[i].start);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    out += decodeCharset(joined, words[i].charset);
    position = words[j].end;
    i = j + 1;
    // White space between adjacent words of different charsets is dropped too (6.2).
    if (i < words.length && /^[ \t\r\n]*$/.test(value.slice(position, words[i].start))) {
      position = words[i].start;
    }
  }
  return out + value.slice(position);
}
