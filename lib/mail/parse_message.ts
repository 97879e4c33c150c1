/**
 * Parse a message into its MIME tree (RFC 2045, RFC 2046), keeping where every part
 * lies in the original bytes.
 *
 * Those byte ranges are what an IMAP server serves: `BODY[1.2]` is the body of part 1.2,
 * `BODY[1.2.MIME]` its header, and BODYSTRUCTURE reports each part's encoded size and
 * line count. Parsing is tolerant, like a mail reader must be: a missing boundary, a
 * missing close delimiter or a broken header give a best-effort tree, never a crash.
 *
 * @module
 */
import { decodeBase64Mime } from "./base64.ts";
import { decodeCharset } from "./charset.ts";
import { type ContentType, parseContentType, parseParameterized } from "./content_type.ts";
import type { HeaderFields } from "./headers.ts";
import { decodeQuotedPrintable } from "./quoted_printable.ts";
import {
  type ByteRange,
  countLines,
  decodeHeaderFields,
  fieldValue,
  type MimeEntity,
  SCAN_LIMITS,
  scanMessage,
} from "./scan_message.ts";

/** One node of the MIME tree. */
export interface MimePart {
  /** Header fields of this part (for the top level: the message header). */
  headers: HeaderFields;
  /** Content-Type, lowercase type and subtype; the RFC 2045 default when missing. */
  contentType: ContentType;
  /** Content-Transfer-Encoding, lowercase ("7bit" when missing, RFC 2045 6.1). */
  transferEncoding: string;
  /** Content-Disposition ("inline", "attachment") and its parameters, when present. */
  disposition?: { type: string; params: Record<string, string> };
  /** File name from Content-Disposition filename or Content-Type name. */
  filename?: string;
  /** The body with the transfer encoding removed (for multiparts: the raw body). */
  body: Uint8Array;
  /** For text/* parts: the body decoded by its charset. */
  text?: string;
  /** For multipart/*: the body parts, in order (IMAP numbers them 1, 2, ...). */
  parts?: MimePart[];
  /** For message/rfc822: the enclosed message. */
  message?: MimePart;
  /** The header, blank line included (IMAP BODY[HEADER] or BODY[n.MIME]). */
  header: ByteRange;
  /** The body as transmitted, still encoded (IMAP BODY[TEXT] or BODY[n]). */
  bodyRange: ByteRange;
  /** Body size in octets as transmitted (BODYSTRUCTURE body-fld-octets). */
  size: number;
  /** Lines in the transmitted body (BODYSTRUCTURE body-fld-lines for text and message). */
  lines: number;
}

/** Beyond this depth, multiparts are not split further (a defence against bombs). */
export const MAX_DEPTH: number = SCAN_LIMITS.depth;

function decodeBody(encoding: string, raw: Uint8Array): Uint8Array {
  if (encoding === "base64") return decodeBase64Mime(raw);
  if (encoding === "quoted-printable") return decodeQuotedPrintable(raw);
  return raw; // 7bit, 8bit, binary and unknown encodings pass through (RFC 2045 6.4)
}

/** The scanned entity, decoded: every header field, parameters, the body. */
function decodePart(bytes: Uint8Array, entity: MimeEntity): MimePart {
  const headers = decodeHeaderFields(bytes, entity.header);
  const value = (name: keyof MimeEntity["fields"]) => {
    const field = entity.fields[name];
    return field && fieldValue(bytes, field);
  };
  // The scanner decided type and subtype (and the RFC 2045 5.2 default); parameters are
  // decoded here: RFC 2231 sections joined, charsets applied.
  const typeValue = value("content-type");
  const declared = typeValue === undefined ? undefined : parseContentType(typeValue);
  const contentType: ContentType = {
    type: entity.type,
    subtype: entity.subtype,
    params: declared?.type === entity.type && declared.subtype === entity.subtype
      ? declared.params
      : entity.type === "text"
      ? { charset: "us-ascii" }
      : {},
  };
  const transferEncoding = (value("content-transfer-encoding") ?? "7bit").toLowerCase();
  const raw = bytes.subarray(entity.body.start, entity.body.end);
  const part: MimePart = {
    headers,
    contentType,
    transferEncoding,
    body: raw,
    header: { ...entity.header },
    bodyRange: { ...entity.body },
    size: raw.length,
    lines: countLines(bytes, entity.body.start, entity.body.end),
  };
  const dispositionValue = value("content-disposition");
  if (dispositionValue !== undefined) {
    const { value, params } = parseParameterized(dispositionValue);
    part.disposition = { type: value.toLowerCase(), params };
  }
  const filename = part.disposition?.params.filename ?? contentType.params.name;
  if (filename !== undefined) part.filename = filename;

  if (contentType.type === "multipart" && contentType.params.boundary) {
    part.parts = entity.parts.map((p) => decodePart(bytes, p));
    return part;
  }
  part.body = decodeBody(transferEncoding, raw);
  // A message/rfc822 body must be 7bit, 8bit or binary (RFC 2046 5.2.1); encoded, its
  // bytes are no message until decoded, so it is left as a body.
  if (entity.message && !["base64", "quoted-printable"].includes(transferEncoding)) {
    part.message = decodePart(bytes, entity.message);
  } else if (contentType.type === "text") {
    part.text = decodeCharset(part.body, contentType.params.charset ?? "us-ascii");
  }
  return part;
}

/**
 * Parse message bytes into a MIME tree. Never throws on malformed input.
 *
 * @example
 * ```ts
 * import { parseMessage } from "./parse_message.ts";
 * const bytes = new TextEncoder().encode(
 *   "Subject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
 *     "--b\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\n",
 * );
 * const message = parseMessage(bytes);
 * const [one, two] = message.parts!;
 * if (one.text !== "one" || two.contentType.subtype !== "html") throw new Error();
 * // BODY[2] in IMAP terms:
 * const body2 = bytes.subarray(two.bodyRange.start, two.bodyRange.end);
 * if (new TextDecoder().decode(body2) !== "<p>two</p>") throw new Error();
 * ```
 */
export function parseMessage(bytes: Uint8Array): MimePart {
  return decodePart(bytes, scanMessage(bytes));
}
