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

import {
  concatBytes,
  decodeBase64Mime,
  decodeQuotedPrintable,
  encodeBase64Lines,
  fieldNameIs,
  fieldValue,
  headerFields,
  type MimeEntity,
  scanMessage,
} from "../mail/mod.ts";
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
 * import { scanMessage } from "../mail/mod.ts";
 * const bytes = new TextEncoder().encode("Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n");
 * const part = binaryPart(bytes, scanMessage(bytes), [1]);
 * if (part?.join() !== "0,1,2") throw new Error(String(part));
 * ```
 */
export function binaryPart(
  bytes: Uint8Array,
  root: MimeEntity,
  path: readonly number[],
): Uint8Array | null {
  if (path.length === 0) return bytes;
  const part = findPart(root, path);
  if (!part) return null;
  const body = bytes.subarray(part.body.start, part.body.end);
  if (part.type === "multipart" || part.message) return body;
  const cte = part.fields["content-transfer-encoding"];
  const encoding = cte ? fieldValue(bytes, cte).toLowerCase() : "";
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

/** Leaf parts, in order. */
function leaves(part: MimeEntity): MimeEntity[] {
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
  const root = scanMessage(bytes);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const part of leaves(root)) {
    const body = bytes.subarray(part.body.start, part.body.end);
    if (!hasNul(body)) continue;
    // The header as written, without its Content-Transfer-Encoding fields and the blank line.
    let fieldsEnd = part.header.start;
    for (const field of headerFields(bytes, part.header)) {
      if (fieldNameIs(bytes, field, "content-transfer-encoding")) {
        chunks.push(bytes.subarray(at, field.start));
        at = field.end;
      }
      fieldsEnd = field.end;
    }
    chunks.push(bytes.subarray(at, Math.max(at, fieldsEnd)));
    chunks.push(encoder.encode("Content-Transfer-Encoding: base64\r\n\r\n"));
    chunks.push(encoder.encode(encodeBase64Lines(body)));
    at = part.body.end;
  }
  chunks.push(bytes.subarray(at));
  return concatBytes(chunks);
}
