/**
 * BINARY (RFC 3516): the server decodes a part's Content-Transfer-Encoding, so a client
 * downloads an attachment's octets instead of base64 a third larger. `BINARY[1]` is part
 * 1 decoded, `BINARY.SIZE[1]` its decoded size; octets that hold NUL travel as a
 * literal8, `~{n}` (RFC 3516 4.3).
 *
 * And the other way: APPEND may send a literal8 with a part in 8-bit binary. Such a part
 * is stored encoded in base64 (its Content-Transfer-Encoding rewritten), so that BODY[]
 * never carries NUL to a client that did not ask for BINARY, and BINARY gives the
 * original octets back.
 *
 * @module
 */

import { decodeBase64Mime, encodeBase64Lines } from "../mail/base64.ts";
import { decodeQuotedPrintable } from "../mail/quoted_printable.ts";
import { headerValue, type MimePart, parseMime } from "./mime.ts";
import { findPart } from "./section.ts";

/** A part whose Content-Transfer-Encoding we cannot decode: NO [UNKNOWN-CTE] (RFC 3516 4.2). */
export class UnknownCteError extends Error {
  constructor(encoding: string) {
    super(`Cannot decode the part: unknown Content-Transfer-Encoding ${JSON.stringify(encoding)}`);
    this.name = "UnknownCteError";
  }
}

/** The encodings that leave octets as they are (RFC 2045 6.1). */
const IDENTITY = new Set(["", "7bit", "8bit", "binary"]);

/**
 * The decoded octets of a part (`path` as in BODY[1.2]; empty for the whole message, which
 * is returned as it is), or null when there is no such part.
 *
 * @throws {UnknownCteError} the part's encoding is not 7bit, 8bit, binary, base64 or
 *   quoted-printable.
 *
 * @example
 * ```ts
 * import { binaryPart } from "./binary.ts";
 * import { parseMime } from "./mime.ts";
 * const bytes = new TextEncoder().encode("Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n");
 * const part = binaryPart(bytes, parseMime(bytes), [1]);
 * if (part?.join() !== "0,1,2") throw new Error(String(part));
 * ```
 */
export function binaryPart(
  bytes: Uint8Array,
  root: MimePart,
  path: readonly number[],
): Uint8Array | null {
  if (path.length === 0) return bytes;
  const part = findPart(root, [...path]);
  if (!part) return null;
  const body = bytes.subarray(part.bodyStart, part.bodyEnd);
  if (part.type === "multipart" || part.message) return body;
  const encoding = (headerValue(part, "Content-Transfer-Encoding") ?? "").trim().toLowerCase();
  if (IDENTITY.has(encoding)) return body;
  if (encoding === "base64") return decodeBase64Mime(body);
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  throw new UnknownCteError(encoding);
}

/** Whether octets hold a NUL, which only a literal8 may carry (RFC 3516 4.3). */
export function hasNul(bytes: Uint8Array): boolean {
  return bytes.indexOf(0) >= 0;
}

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Leaf parts, in order. */
function leaves(part: MimePart): MimePart[] {
  if (part.parts.length) return part.parts.flatMap(leaves);
  if (part.message) return leaves(part.message);
  return [part];
}

/**
 * A message whose parts holding NUL are re-encoded in base64 (header field
 * Content-Transfer-Encoding replaced or added), or the message itself when none does.
 * A NUL in a header cannot be re-encoded: the caller refuses such a message.
 *
 * @example
 * ```ts
 * import { encodeBinaryParts } from "./binary.ts";
 * const bytes = new TextEncoder().encode("Content-Transfer-Encoding: binary\r\n\r\na\0b");
 * const stored = new TextDecoder().decode(encodeBinaryParts(bytes));
 * if (stored !== "Content-Transfer-Encoding: base64\r\n\r\nYQBi") throw new Error(stored);
 * ```
 */
export function encodeBinaryParts(bytes: Uint8Array): Uint8Array {
  if (!hasNul(bytes)) return bytes;
  const root = parseMime(bytes);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const part of leaves(root)) {
    const body = bytes.subarray(part.bodyStart, part.bodyEnd);
    if (!hasNul(body)) continue;
    // The header without its Content-Transfer-Encoding field, and without the blank line.
    const header = part.headers
      .filter((h) => h.name.toLowerCase() !== "content-transfer-encoding")
      .map((h) => latin1.decode(bytes.subarray(h.start, h.end)))
      .join("");
    chunks.push(bytes.subarray(at, part.headerStart));
    chunks.push(encoder.encode(`${header}Content-Transfer-Encoding: base64\r\n\r\n`));
    chunks.push(encoder.encode(encodeBase64Lines(body)));
    at = part.bodyEnd;
  }
  chunks.push(bytes.subarray(at));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const chunk of chunks) {
    out.set(chunk, o);
    o += chunk.length;
  }
  return out;
}
