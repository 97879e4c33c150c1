/**
 * Quoted-Printable (RFC 2045 6.7): mostly-ASCII text stays readable, every other byte is
 * written "=XX" in hex, and long lines are cut with a soft line break "=" so that no
 * encoded line is longer than 76 characters.
 *
 * @module
 */

const HEX = "0123456789ABCDEF";

/** Options of {@linkcode encodeQuotedPrintable}. */
export interface QuotedPrintableOptions {
  /** Longest encoded line, "=" of a soft break included (RFC 2045 6.7 rule 5: 76). */
  lineLength?: number;
  /**
   * Binary mode: CR and LF are data, written =0D and =0A. Otherwise (text) CRLF or a
   * bare LF in the input is a line break, written CRLF.
   */
  binary?: boolean;
}

/**
 * Encode bytes as Quoted-Printable with CRLF line breaks.
 *
 * @example
 * ```ts
 * import { encodeQuotedPrintable } from "./quoted_printable.ts";
 * const qp = encodeQuotedPrintable(new TextEncoder().encode("café = 1"));
 * if (qp !== "caf=C3=A9 =3D 1") throw new Error(qp);
 * ```
 */
export function encodeQuotedPrintable(
  bytes: Uint8Array,
  options: QuotedPrintableOptions = {},
): string {
  const max = options.lineLength ?? 76;
  const lines: string[] = [];
  let line = "";
  const push = (token: string) => {
    // Rule 5: leave room for the "=" of a soft line break.
    if (line.length + token.length > max - 1) {
      lines.push(line + "=");
      line = "";
    }
    line += token;
  };
  const endLine = () => {
    // Rule 3: white space at the end of an encoded line must be encoded.
    const last = line.charCodeAt(line.length - 1);
    if (last === 0x20 || last === 0x09) {
      line = line.slice(0, -1);
      push(last === 0x20 ? "=20" : "=09");
    }
    lines.push(line);
    line = "";
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (!options.binary && b === 0x0d && bytes[i + 1] === 0x0a) {
      endLine(); // Rule 4: a line break in text is a line break in the encoding
      i++;
    } else if (!options.binary && b === 0x0a) {
      endLine();
    } else if ((b >= 33 && b <= 126 && b !== 0x3d) || b === 0x20 || b === 0x09) {
      push(String.fromCharCode(b)); // Rules 2 and 3: literal representation
    } else {
      push("=" + HEX[b >> 4] + HEX[b & 15]); // Rule 1: general 8-bit representation
    }
  }
  if (line.length > 0) endLine();
  else if (lines.length > 0 && bytes.length > 0) lines.push("");
  return lines.join("\r\n");
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57; // lowercase, tolerated (6.7 rule 1)
  return -1;
}

/**
 * Decode Quoted-Printable. Tolerant, as RFC 2045 6.7 advises: "=" followed by anything
 * but two hex digits is kept literally, white space at the end of a line is dropped (it
 * may have been added in transport), and bare LF line breaks are accepted.
 *
 * @example
 * ```ts
 * import { decodeQuotedPrintable } from "./quoted_printable.ts";
 * const text = new TextDecoder().decode(decodeQuotedPrintable("caf=C3=A9 =\r\nau lait"));
 * if (text !== "café au lait") throw new Error(text);
 * ```
 */
export function decodeQuotedPrintable(input: string | Uint8Array): Uint8Array {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const out = new Uint8Array(bytes.length);
  let o = 0;
  let start = 0;
  while (start <= bytes.length) {
    let lf = bytes.indexOf(0x0a, start);
    const hasBreak = lf >= 0;
    if (!hasBreak) lf = bytes.length;
    const crlf = hasBreak && lf > start && bytes[lf - 1] === 0x0d;
    // Rule 3: trailing white space on an encoded line is transport padding.
    let end = crlf ? lf - 1 : lf;
    while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
    // Rule 5: a final "=" is a soft line break: the line continues on the next one.
    const soft = end > start && bytes[end - 1] === 0x3d;
    if (soft) end--;
    for (let i = start; i < end; i++) {
      const high = bytes[i] === 0x3d && i + 2 < end ? hexValue(bytes[i + 1]) : -1;
      const low = high >= 0 ? hexValue(bytes[i + 2]) : -1;
      if (high >= 0 && low >= 0) {
        out[o++] = (high << 4) | low;
        i += 2;
      } else {
        out[o++] = bytes[i]; // plain byte, or a stray "=" kept as it is
      }
    }
    if (!hasBreak) break;
    if (!soft) {
      if (crlf) out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
    start = lf + 1;
  }
  return out.slice(0, o);
}
