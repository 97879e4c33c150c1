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
 * The body of a multi-line response for a stored message: every line ends with CRLF, a
 * line starting with "." gets a second ".", and ".\r\n" ends it.
 *
 * Line endings: a stored line ending in bare LF (Maildirs written by Postfix or Dovecot
 * keep LF) is sent with CRLF, because the wire format is CRLF (RFC 1939 3). A message
 * stored with CRLF therefore comes back byte for byte; one stored with bare LF comes
 * back with CRLF, as from every other POP3 server. A last line without any ending gets
 * CRLF, since the terminator must start a line. A CR not followed by LF is data and is
 * sent as it is.
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
  // Worst case every line grows by 2 bytes (a dot and a CR); count lines first.
  let lines = 1;
  for (const byte of message) if (byte === LF) lines++;
  const out = new Uint8Array(message.length + 2 * lines + 5);
  let o = 0;
  let start = 0;
  let inBody = false;
  let bodyLines = 0;
  while (start < message.length) {
    if (inBody && limit !== undefined && bodyLines >= limit) break;
    let lf = message.indexOf(LF, start);
    const hasLf = lf >= 0;
    if (!hasLf) lf = message.length;
    const end = hasLf && lf > start && message[lf - 1] === CR ? lf - 1 : lf;
    if (message[start] === DOT) out[o++] = DOT;
    out.set(message.subarray(start, end), o);
    o += end - start;
    out[o++] = CR;
    out[o++] = LF;
    if (inBody) bodyLines++;
    else if (end === start) inBody = true; // the empty line ends the header (RFC 5322 2.1)
    start = hasLf ? lf + 1 : message.length;
  }
  out.set([DOT, CR, LF], o);
  return out.subarray(0, o + 3);
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
