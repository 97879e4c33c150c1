/**
 * Modified UTF-7 for mailbox names (RFC 3501 5.1.3).
 *
 * IMAP4rev1 predates UTF-8 on the wire, so mailbox names with non-ASCII characters travel
 * as modified UTF-7: printable ASCII stands for itself ("&" becomes "&-"), anything else
 * is UTF-16 in a base64 variant ("," instead of "/", no padding) between "&" and "-".
 * "Entwürfe" is "Entw&APw-rfe"; "收件箱" is "&ZTZO9nux-".
 *
 * @module
 */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/** A name that is not valid modified UTF-7. */
export class Utf7Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Utf7Error";
  }
}

/**
 * Encode a mailbox name for the wire.
 *
 * @example
 * ```ts
 * import { encodeMailboxName } from "./utf7.ts";
 * if (encodeMailboxName("Entwürfe") !== "Entw&APw-rfe") throw new Error("unexpected");
 * if (encodeMailboxName("R&D") !== "R&-D") throw new Error("unexpected");
 * ```
 */
export function encodeMailboxName(name: string): string {
  let out = "";
  let pending: number[] = []; // UTF-16 code units waiting for base64
  const flush = () => {
    if (!pending.length) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0, value = 0, text = "";
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        text += B64[(value >> bits) & 0x3f];
      }
    }
    if (bits > 0) text += B64[(value << (6 - bits)) & 0x3f];
    out += "&" + text + "-";
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? "&-" : name[i];
    } else {
      pending.push(code);
    }
  }
  flush();
  return out;
}

/**
 * Decode a mailbox name from the wire.
 *
 * @throws {Utf7Error} a shift sequence is unterminated or malformed, or 8-bit bytes appear.
 *
 * @example
 * ```ts
 * import { decodeMailboxName } from "./utf7.ts";
 * if (decodeMailboxName("&ZTZO9nux-") !== "收件箱") throw new Error("unexpected");
 * ```
 */
export function decodeMailboxName(wire: string): string {
  let out = "";
  let i = 0;
  while (i < wire.length) {
    const c = wire[i];
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) {
      // RFC 3501 5.1.3 forbids raw 8-bit names; RFC 9051 allows UTF-8, and so do we.
      out += c;
      i++;
      continue;
    }
    if (c !== "&") {
      out += c;
      i++;
      continue;
    }
    const end = wire.indexOf("-", i + 1);
    if (end < 0) {
      throw new Utf7Error(
        `Cannot decode mailbox name ${JSON.stringify(wire)}: "&" at ${i} is never closed by "-"`,
      );
    }
    const chunk = wire.slice(i + 1, end);
    i = end + 1;
    if (chunk === "") {
      out += "&";
      continue;
    }
    let bits = 0, value = 0;
    const bytes: number[] = [];
    for (const ch of chunk) {
      const v = B64.indexOf(ch);
      if (v < 0) {
        throw new Utf7Error(
          `Cannot decode mailbox name ${JSON.stringify(wire)}: "${ch}" is not modified base64`,
        );
      }
      value = ((value << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((value >> bits) & 0xff);
      }
    }
    if (bytes.length % 2) {
      throw new Utf7Error(
        `Cannot decode mailbox name ${JSON.stringify(wire)}: odd number of UTF-16 bytes`,
      );
    }
    for (let b = 0; b < bytes.length; b += 2) {
      out += String.fromCharCode((bytes[b] << 8) | bytes[b + 1]);
    }
  }
  return out;
}
