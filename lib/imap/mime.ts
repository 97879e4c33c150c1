/**
 * A message's MIME tree with byte ranges (RFC 2045, 2046; RFC 3501 6.4.5 part numbers).
 *
 * FETCH BODY[1.2], BODY[1.MIME], BODY[HEADER.FIELDS (...)] and BODYSTRUCTURE all need to
 * know where each part's header and body start and end, in octets. This parser scans
 * the bytes once and records those ranges; nothing is decoded or copied.
 *
 * lib/mail's `parseMessage` finds the same part boundaries, but it also decodes every body
 * (base64, quoted-printable, charsets), which FETCH BODYSTRUCTURE of a large mailbox must
 * not pay for, and it keeps no byte range per header field (BODY[HEADER.FIELDS] needs
 * them). Sharing one scanner, with decoding on demand, is the known next step.
 *
 * @module
 */

/** One MIME entity: a message, a part of a multipart, or a message inside a message/rfc822 part. */
export interface MimePart {
  /** Octet range of the header, blank line included. */
  headerStart: number;
  headerEnd: number;
  /** Octet range of the body. */
  bodyStart: number;
  bodyEnd: number;
  /** Header fields, unfolded, in order; names as written. */
  headers: { name: string; value: string; start: number; end: number }[];
  /** Lower-case media type and subtype ("text", "plain" by default, RFC 2045 5.2). */
  type: string;
  subtype: string;
  /** Content-Type parameters, names in lower case. */
  params: [string, string][];
  /** Children of a multipart/*. */
  parts: MimePart[];
  /** The message inside a message/rfc822 part. */
  message?: MimePart;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** A header value by name (first occurrence, case-insensitive), or null. */
export function headerValue(part: MimePart, name: string): string | null {
  const lower = name.toLowerCase();
  return part.headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

/**
 * Parse a structured header value into its first token and `;` parameters (RFC 2045 5.1,
 * quoted strings allowed; RFC 2231 continuations are not joined).
 */
export function parseParams(value: string): { value: string; params: [string, string][] } {
  const params: [string, string][] = [];
  let i = value.indexOf(";");
  const head = (i < 0 ? value : value.slice(0, i)).trim();
  while (i >= 0 && i < value.length) {
    i++; // past ";"
    const eq = value.indexOf("=", i);
    if (eq < 0) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (value[j] === " " || value[j] === "\t") j++;
    let v = "";
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === "\\" && j + 1 < value.length) j++;
        v += value[j++];
      }
      j = value.indexOf(";", j);
    } else {
      const end = value.indexOf(";", j);
      v = (end < 0 ? value.slice(j) : value.slice(j, end)).trim();
      j = end;
    }
    if (name) params.push([name, v]);
    i = j;
  }
  return { value: head, params };
}

/** Index just past the end of the header (after the blank line), or the end. */
function findHeaderEnd(text: string, start: number, end: number): number {
  if (text.startsWith("\r\n", start)) return start + 2;
  if (text[start] === "\n") return start + 1;
  for (let i = text.indexOf("\n", start); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) {
    if (text[i + 1] === "\n") return i + 2;
    if (text[i + 1] === "\r" && text[i + 2] === "\n") return i + 3;
  }
  return end;
}

function parseHeaders(bytes: Uint8Array, text: string, start: number, end: number) {
  const headers: MimePart["headers"] = [];
  let i = start;
  while (i < end) {
    let lineEnd = text.indexOf("\n", i);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end - 1;
    // A field continues on lines starting with space or tab (RFC 5322 2.2.3).
    let fieldEnd = lineEnd + 1;
    while (fieldEnd < end && (text[fieldEnd] === " " || text[fieldEnd] === "\t")) {
      const next = text.indexOf("\n", fieldEnd);
      fieldEnd = next < 0 || next >= end ? end : next + 1;
    }
    const raw = utf8.decode(bytes.subarray(i, fieldEnd));
    const colon = raw.indexOf(":");
    if (colon > 0 && raw.trim() !== "") {
      headers.push({
        name: raw.slice(0, colon).trim(),
        value: raw.slice(colon + 1).replace(/\r?\n[ \t]/g, " ").replace(/\r?\n$/, "").trim(),
        start: i,
        end: fieldEnd,
      });
    }
    i = fieldEnd;
  }
  return headers;
}

function parseEntity(
  bytes: Uint8Array,
  text: string,
  start: number,
  end: number,
  defaultType: [string, string],
  depth: number,
): MimePart {
  const headerEnd = findHeaderEnd(text, start, end);
  const headers = parseHeaders(bytes, text, start, headerEnd);
  const part: MimePart = {
    headerStart: start,
    headerEnd,
    bodyStart: headerEnd,
    bodyEnd: end,
    headers,
    type: defaultType[0],
    subtype: defaultType[1],
    params: [],
    parts: [],
  };
  const contentType = headers.find((h) => h.name.toLowerCase() === "content-type");
  if (contentType) {
    const { value, params } = parseParams(contentType.value);
    const [type, subtype] = value.toLowerCase().split("/");
    if (type && subtype) {
      part.type = type.trim();
      part.subtype = subtype.trim();
      part.params = params;
    }
  }
  if (depth > 20) return part; // a bomb of nested parts: stop describing deeper
  if (part.type === "multipart") {
    const boundary = part.params.find(([n]) => n === "boundary")?.[1];
    if (boundary) {
      const child: [string, string] = part.subtype === "digest"
        ? ["message", "rfc822"]
        : ["text", "plain"];
      for (const [s, e] of splitMultipart(text, headerEnd, end, boundary)) {
        part.parts.push(parseEntity(bytes, text, s, e, child, depth + 1));
      }
    }
  } else if (part.type === "message" && part.subtype === "rfc822") {
    part.message = parseEntity(bytes, text, headerEnd, end, ["text", "plain"], depth + 1);
  }
  return part;
}

/** Ranges of the parts between `--boundary` lines (RFC 2046 5.1.1). */
function splitMultipart(
  text: string,
  start: number,
  end: number,
  boundary: string,
): [number, number][] {
  const delimiter = "--" + boundary;
  const ranges: [number, number][] = [];
  let partStart = -1;
  let i = start;
  while (i < end) {
    let lineEnd = text.indexOf("\n", i);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    if (text.startsWith(delimiter, i)) {
      const after = text.slice(i + delimiter.length, lineEnd).replace(/\r$/, "");
      const closing = after.startsWith("--");
      if (after.trim() === "" || closing) {
        // The CRLF before the delimiter belongs to the delimiter, not to the part.
        if (partStart >= 0) {
          let partEnd = i;
          if (text[partEnd - 1] === "\n") partEnd--;
          if (text[partEnd - 1] === "\r") partEnd--;
          ranges.push([partStart, Math.max(partStart, partEnd)]);
        }
        if (closing) return ranges;
        partStart = Math.min(lineEnd + 1, end);
      }
    }
    i = lineEnd + 1;
  }
  if (partStart >= 0 && partStart < end) ranges.push([partStart, end]); // no closing line
  return ranges;
}

/**
 * Parse a message.
 *
 * @example
 * ```ts
 * import { parseMime } from "./mime.ts";
 * const bytes = new TextEncoder().encode(
 *   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\n',
 * );
 * const root = parseMime(bytes);
 * if (root.parts.length !== 2 || root.parts[1].subtype !== "html") throw new Error("unexpected");
 * ```
 */
export function parseMime(bytes: Uint8Array): MimePart {
  const text = latin1.decode(bytes);
  return parseEntity(bytes, text, 0, bytes.length, ["text", "plain"], 0);
}

/** Lines in a body (BODYSTRUCTURE's size in text lines). */
export function countLines(bytes: Uint8Array, start: number, end: number): number {
  let lines = 0;
  for (let i = start; i < end; i++) if (bytes[i] === 0x0a) lines++;
  if (end > start && bytes[end - 1] !== 0x0a) lines++;
  return lines;
}

/**
 * Bare LF to CRLF: IMAP sends messages with CRLF line ends (RFC 3501 2.2, RFC 5322 2.1)
 * even when a Maildir file was written with LF. Returns the input when it is already fine.
 */
export function toCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) bare++;
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
