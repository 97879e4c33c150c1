/**
 * Bytes to text by a MIME charset name, through the web-standard TextDecoder.
 *
 * Mail says "charset=gb2312" where the bytes are often really GBK or GB18030 (each a
 * superset of the one before), so the GB family is decoded as GB18030, which reads all
 * three. An unknown charset falls back to UTF-8; undecodable bytes become U+FFFD.
 *
 * @module
 */

const ALIASES: Record<string, string> = {
  "gb2312": "gb18030",
  "gbk": "gb18030",
  "x-gbk": "gb18030",
  "cp936": "gb18030",
  "euc-cn": "gb18030",
  "us-ascii": "utf-8", // ASCII is a subset; being lenient with 8-bit bytes helps readers
  "ascii": "utf-8",
  "utf8": "utf-8",
};

/** The TextDecoder label for a MIME charset name, or null if TextDecoder knows none. */
export function charsetLabel(charset: string): string | null {
  const name = charset.trim().toLowerCase().replace(/^"|"$/g, "");
  const label = ALIASES[name] ?? name;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

/**
 * Decode bytes in a charset; never throws.
 *
 * @example A GB2312 subject
 * ```ts
 * import { decodeCharset } from "./charset.ts";
 * const text = decodeCharset(new Uint8Array([0xd3, 0xca, 0xbc, 0xfe]), "GB2312");
 * if (text !== "邮件") throw new Error(text);
 * ```
 */
export function decodeCharset(bytes: Uint8Array, charset = "utf-8"): string {
  return new TextDecoder(charsetLabel(charset) ?? "utf-8").decode(bytes);
}
