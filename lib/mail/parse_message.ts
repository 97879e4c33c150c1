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
import { type HeaderFields, parseHeaders } from "./headers.ts";
import { decodeQuotedPrintable } from "./quoted_printable.ts";

/** A byte range `[start, end)` in the original message. */
export interface ByteRange {
  start: number;
  end: number;
}

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
export const MAX_DEPTH = 32;

const LF = 0x0a;
const CR = 0x0d;

/** Header text: UTF-8 when it is valid (RFC 6532), else ISO-8859-1 (any byte maps). */
function headerText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("iso-8859-1").decode(bytes);
  }
}

/** End of the header: index just after the empty line ending it (CRLF CRLF or LF LF). */
function headerEnd(bytes: Uint8Array, start: number, end: number): number {
  // A part that begins with an empty line has no header at all.
  if (bytes[start] === LF) return start + 1;
  if (bytes[start] === CR && bytes[start + 1] === LF) return start + 2;
  for (let i = bytes.indexOf(LF, start); i >= 0 && i < end; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return i + 2;
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
  }
  return end; // no empty line: all header, empty body
}

function countLines(bytes: Uint8Array, start: number, end: number): number {
  let lines = 0;
  for (let i = start; i < end; i++) if (bytes[i] === LF) lines++;
  if (end > start && bytes[end - 1] !== LF) lines++;
  return lines;
}

/**
 * Find the body parts of a multipart between `start` and `end` (RFC 2046 5.1.1). A
 * delimiter is a line starting with "--" boundary; the CRLF before it belongs to the
 * delimiter, not to the part. Returns the parts' ranges.
 */
function splitMultipart(
  bytes: Uint8Array,
  start: number,
  end: number,
  boundary: string,
): ByteRange[] {
  const delimiter = new TextEncoder().encode("--" + boundary);
  const ranges: ByteRange[] = [];
  let partStart = -1;
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    let matches = lineEnd - lineStart >= delimiter.length;
    for (let k = 0; matches && k < delimiter.length; k++) {
      if (bytes[lineStart + k] !== delimiter[k]) matches = false;
    }
    if (matches) {
      const after = lineStart + delimiter.length;
      const isClose = bytes[after] === 0x2d && bytes[after + 1] === 0x2d;
      if (partStart >= 0) {
        // The line break before the delimiter is part of the delimiter.
        let partEnd = lineStart;
        if (partEnd > partStart && bytes[partEnd - 1] === LF) partEnd--;
        if (partEnd > partStart && bytes[partEnd - 1] === CR) partEnd--;
        ranges.push({ start: partStart, end: Math.max(partStart, partEnd) });
      }
      if (isClose) return ranges;
      partStart = Math.min(lineEnd + 1, end);
    }
    lineStart = lineEnd + 1;
  }
  // No close delimiter: the last part runs to the end (tolerated).
  if (partStart >= 0) ranges.push({ start: partStart, end });
  return ranges;
}

function decodeBody(encoding: string, raw: Uint8Array): Uint8Array {
  if (encoding === "base64") return decodeBase64Mime(raw);
  if (encoding === "quoted-printable") return decodeQuotedPrintable(raw);
  return raw; // 7bit, 8bit, binary and unknown encodings pass through (RFC 2045 6.4)
}

function parsePart(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
  defaultType: ContentType,
): MimePart {
  const bodyStart = headerEnd(bytes, start, end);
  const headers = parseHeaders(headerText(bytes.subarray(start, bodyStart)));
  const typeHeader = headers.get("content-type");
  const contentType = typeHeader === undefined ? structuredClone(defaultType) : parseContentType(
    typeHeader,
  );
  const transferEncoding = (headers.get("content-transfer-encoding") ?? "7bit").trim()
    .toLowerCase();
  const raw = bytes.subarray(bodyStart, end);
  const part: MimePart = {
    headers,
    contentType,
    transferEncoding,
    body: raw,
    header: { start, end: bodyStart },
    bodyRange: { start: bodyStart, end },
    size: end - bodyStart,
    lines: countLines(bytes, bodyStart, end),
  };
  const dispositionHeader = headers.get("content-disposition");
  if (dispositionHeader !== undefined) {
    const { value, params } = parseParameterized(dispositionHeader);
    part.disposition = { type: value.toLowerCase(), params };
  }
  const filename = part.disposition?.params.filename ?? contentType.params.name;
  if (filename !== undefined) part.filename = filename;

  const boundary = contentType.params.boundary;
  if (contentType.type === "multipart" && boundary && depth < MAX_DEPTH) {
    // RFC 2046 5.1.5: in a digest, parts default to message/rfc822.
    const childDefault: ContentType = contentType.subtype === "digest"
      ? { type: "message", subtype: "rfc822", params: {} }
      : { type: "text", subtype: "plain", params: { charset: "us-ascii" } };
    part.parts = splitMultipart(bytes, bodyStart, end, boundary)
      .map((r) => parsePart(bytes, r.start, r.end, depth + 1, childDefault));
    return part;
  }
  part.body = decodeBody(transferEncoding, raw);
  if (
    contentType.type === "message" && contentType.subtype === "rfc822" && depth < MAX_DEPTH &&
    !["base64", "quoted-printable"].includes(transferEncoding)
  ) {
    part.message = parsePart(bytes, bodyStart, end, depth + 1, defaultTextType());
  } else if (contentType.type === "text") {
    part.text = decodeCharset(part.body, contentType.params.charset ?? "us-ascii");
  }
  return part;
}

function defaultTextType(): ContentType {
  return { type: "text", subtype: "plain", params: { charset: "us-ascii" } };
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
  return parsePart(bytes, 0, bytes.length, 0, defaultTextType());
}
