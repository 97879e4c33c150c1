/**
 * Line ends on the wire: a message travels with CRLF (RFC 5322 2.1; IMAP, RFC 3501 2.2),
 * even when a Maildir file was written with bare LF.
 *
 * @module
 */

/**
 * Bare LF to CRLF. Returns the input itself when it has no bare LF.
 *
 * @example
 * ```ts
 * import { toCrlf } from "./crlf.ts";
 * const out = new TextDecoder().decode(toCrlf(new TextEncoder().encode("a\nb\r\n")));
 * if (out !== "a\r\nb\r\n") throw new Error(JSON.stringify(out));
 * ```
 */
export function toCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) bare++;
  }
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) out[j++] = 0x0d;
    out[j++] = bytes[i];
  }
  return out;
}
