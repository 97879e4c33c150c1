/**
 * One pass over a message's bytes that finds its MIME tree (RFC 2045, RFC 2046) and
 * records where everything lies, decoding nothing.
 *
 * Everything that reads a message starts here: IMAP's FETCH BODYSTRUCTURE, BODY[1.2],
 * BODY[HEADER.FIELDS (...)], BINARY and SEARCH, and {@linkcode parseMessage}, which
 * decodes the tree for a reader. The tree holds byte ranges (header, body, each part,
 * the message inside a message/rfc822 part) and the few facts the structure depends
 * on: the media type, its parameters and the first occurrence of each MIME field.
 * Other header fields are found again on demand by walking the header's bytes
 * ({@linkcode headerFields}), so a header of two million lines costs no memory per
 * line, and a value is decoded only when someone asks for it ({@linkcode fieldValue}).
 *
 * Scanning is tolerant, as a mail reader must be: a missing boundary, a missing close
 * delimiter or a broken header give a best-effort tree, never an exception. Nesting and
 * the number of parts are capped ({@linkcode SCAN_LIMITS}) so a hostile message cannot
 * make the tree large.
 *
 * @module
 */
import { splitParameters } from "./content_type.ts";
import { HeaderFields } from "./headers.ts";

/** A byte range `[start, end)` in the original message. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One header field in the bytes: `Name: value CRLF`, continuation lines included. */
export interface FieldRange {
  /** Where the field name starts (the field's first byte). */
  start: number;
  /** Just past the name (before any white space and the colon). */
  nameEnd: number;
  /** Just past the colon. */
  valueStart: number;
  /** Just past the field's last line break (or the header's end). */
  end: number;
}

/** The MIME fields a part's structure is described by (RFC 2045 3, RFC 2183, RFC 3282, RFC 2557, RFC 1864). */
export const MIME_FIELDS = [
  "content-type",
  "content-transfer-encoding",
  "content-id",
  "content-description",
  "content-disposition",
  "content-language",
  "content-location",
  "content-md5",
] as const;

/** One of {@linkcode MIME_FIELDS}. */
export type MimeFieldName = typeof MIME_FIELDS[number];

/** One MIME entity: a message, a body part, or the message inside a message/rfc822 part. */
export interface MimeEntity {
  /** The header, blank line included (IMAP BODY[HEADER], BODY[n.MIME]). */
  header: ByteRange;
  /** The body as transmitted, still encoded (IMAP BODY[TEXT], BODY[n]). */
  body: ByteRange;
  /** Media type and subtype, lower case; the default when Content-Type is missing or broken (RFC 2045 5.2). */
  type: string;
  subtype: string;
  /** Content-Type parameters as written (names lower case, values unquoted), in order. */
  params: [string, string][];
  /** The first occurrence of each MIME field in the header. */
  fields: Partial<Record<MimeFieldName, FieldRange>>;
  /** The body parts of a multipart, in order (IMAP numbers them 1, 2, ...); empty otherwise. */
  parts: MimeEntity[];
  /** The message inside a message/rfc822 part. */
  message?: MimeEntity;
}

/**
 * Limits that keep the tree small whatever the input: deeper multiparts and parts past
 * the total are left unsplit (their bytes stay in the enclosing body). Dovecot has the
 * same kind of limits (100 nested, 10,000 in all by default).
 */
export const SCAN_LIMITS = { depth: 32, parts: 10_000 } as const;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const DASH = 0x2d;

const latin1 = new TextDecoder("latin1");
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/** Header text: UTF-8 when it is valid (RFC 6532), else ISO-8859-1 (every byte maps). */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      try {
        return utf8Fatal.decode(bytes);
      } catch {
        return latin1.decode(bytes);
      }
    }
  }
  return latin1.decode(bytes); // plain ASCII
}

/** End of the header: just after the empty line ending it (CRLF CRLF or LF LF), or `end`. */
function headerEnd(bytes: Uint8Array, start: number, end: number): number {
  // A part that begins with an empty line has no header at all.
  if (start < end && bytes[start] === LF) return start + 1;
  if (start + 1 < end && bytes[start] === CR && bytes[start + 1] === LF) return start + 2;
  for (let i = bytes.indexOf(LF, start); i >= 0 && i < end; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF && i + 1 < end) return i + 2;
    if (bytes[i + 1] === CR && bytes[i + 2] === LF && i + 2 < end) return i + 3;
  }
  return end; // no empty line: all header, empty body
}

/** RFC 5322 3.6.8: a field name is printable US-ASCII except ":". */
function isNameByte(b: number): boolean {
  return b > SP && b < 0x7f && b !== COLON;
}

/**
 * The header fields within `range`, in order, as byte ranges. A field runs on over
 * lines that start with white space (RFC 5322 2.2.3). Lines that are no field (an mbox
 * "From " line, junk, the blank line) are skipped with their continuations. Nothing is
 * kept between steps: walking a huge header costs no memory.
 *
 * @example
 * ```ts
 * import { fieldName, headerFields } from "./scan_message.ts";
 * const bytes = new TextEncoder().encode("Subject: hi\r\n there\r\nTo: a@b\r\n\r\n");
 * const names = [...headerFields(bytes, { start: 0, end: bytes.length })].map((f) => fieldName(bytes, f));
 * if (names.join() !== "Subject,To") throw new Error(names.join());
 * ```
 */
export function* headerFields(bytes: Uint8Array, range: ByteRange): Generator<FieldRange> {
  const end = Math.min(range.end, bytes.length);
  let i = range.start;
  while (i < end) {
    let fieldEnd = nextLine(bytes, i, end);
    while (fieldEnd < end && (bytes[fieldEnd] === SP || bytes[fieldEnd] === HT)) {
      fieldEnd = nextLine(bytes, fieldEnd, end);
    }
    let j = i;
    while (j < fieldEnd && isNameByte(bytes[j])) j++;
    const nameEnd = j;
    // RFC 5322 4.5.4 (obsolete syntax): white space before the colon is tolerated.
    while (j < fieldEnd && (bytes[j] === SP || bytes[j] === HT)) j++;
    if (nameEnd > i && bytes[j] === COLON) {
      yield { start: i, nameEnd, valueStart: j + 1, end: fieldEnd };
    }
    i = fieldEnd;
  }
}

/** Just past the line break of the line starting at `i`, or `end`. */
function nextLine(bytes: Uint8Array, i: number, end: number): number {
  const lf = bytes.indexOf(LF, i);
  return lf < 0 || lf >= end ? end : lf + 1;
}

/** The field's name as written (printable US-ASCII, RFC 5322 3.6.8). */
export function fieldName(bytes: Uint8Array, field: FieldRange): string {
  let name = "";
  for (let i = field.start; i < field.nameEnd; i++) name += String.fromCharCode(bytes[i]);
  return name;
}

/** Whether the field's name is `lowerName` (given in lower case), in any letter case. */
export function fieldNameIs(bytes: Uint8Array, field: FieldRange, lowerName: string): boolean {
  if (field.nameEnd - field.start !== lowerName.length) return false;
  for (let k = 0; k < lowerName.length; k++) {
    let b = bytes[field.start + k];
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== lowerName.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * The field's value: decoded (UTF-8, else ISO-8859-1), unfolded (each line break that
 * is followed by white space removed, RFC 5322 2.2.3) and trimmed. Encoded words stay
 * as they are ({@linkcode decodeWords} decodes them).
 */
export function fieldValue(bytes: Uint8Array, field: FieldRange): string {
  return decodeHeaderBytes(bytes.subarray(field.valueStart, field.end))
    .replace(/\r?\n(?=[ \t])/g, "")
    .trim();
}

/** The first field named `name` (any letter case) in the header range, or undefined. */
export function findField(
  bytes: Uint8Array,
  range: ByteRange,
  name: string,
): FieldRange | undefined {
  const lower = name.toLowerCase();
  for (const field of headerFields(bytes, range)) {
    if (fieldNameIs(bytes, field, lower)) return field;
  }
  return undefined;
}

/**
 * The first occurrence of each named field, in one walk over the header: what an
 * ENVELOPE needs, without keeping the other fields. Keys are the names in lower case.
 */
export function findFields(
  bytes: Uint8Array,
  range: ByteRange,
  names: readonly string[],
): Map<string, FieldRange> {
  const wanted = names.map((n) => n.toLowerCase());
  const found = new Map<string, FieldRange>();
  for (const field of headerFields(bytes, range)) {
    for (const name of wanted) {
      if (!found.has(name) && fieldNameIs(bytes, field, name)) found.set(name, field);
    }
    if (found.size === wanted.length) break;
  }
  return found;
}

/** A header field whose name and value are decoded when read. */
class LazyField {
  readonly #bytes: Uint8Array;
  readonly #range: FieldRange;
  constructor(bytes: Uint8Array, range: FieldRange) {
    this.#bytes = bytes;
    this.#range = range;
  }
  get name(): string {
    return fieldName(this.#bytes, this.#range);
  }
  get value(): string {
    return fieldValue(this.#bytes, this.#range);
  }
}

/**
 * The fields of the header range, one at a time, each name and value decoded only when
 * read: a search through every field keeps none of them, and decodes the values of the
 * fields it looks at only.
 */
export function* decodedFields(
  bytes: Uint8Array,
  range: ByteRange,
): Generator<{ readonly name: string; readonly value: string }> {
  for (const field of headerFields(bytes, range)) yield new LazyField(bytes, field);
}

/** Every field of the header range, decoded and kept: what a reader of the message wants. */
export function decodeHeaderFields(bytes: Uint8Array, range: ByteRange): HeaderFields {
  const fields = [];
  for (const field of headerFields(bytes, range)) {
    fields.push({ name: fieldName(bytes, field), value: fieldValue(bytes, field) });
  }
  return new HeaderFields(fields);
}

/** Lines in a range (BODYSTRUCTURE's body-fld-lines): line breaks, plus a last unended line. */
export function countLines(bytes: Uint8Array, start: number, end: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(LF, start); i >= 0 && i < end; i = bytes.indexOf(LF, i + 1)) lines++;
  if (end > start && bytes[end - 1] !== LF) lines++;
  return lines;
}

/**
 * Media type, subtype and parameters of a Content-Type value (RFC 2045 5.1); null when
 * there is no `type/subtype` (the caller then keeps the default, RFC 2045 5.2).
 */
function mediaType(
  value: string,
): { type: string; subtype: string; params: [string, string][] } | null {
  const { value: head, params } = splitParameters(value);
  const match = /^([^\s/]+)\s*\/\s*([^\s/]+)$/.exec(head.replace(/\([^()]*\)/g, "").trim());
  if (!match) return null;
  return { type: match[1].toLowerCase(), subtype: match[2].toLowerCase(), params };
}

/**
 * Ranges of the body parts between `--boundary` lines (RFC 2046 5.1.1). A delimiter
 * line is "--" boundary, then only white space (transport padding) or, for the close
 * delimiter, "--". The line break before a delimiter belongs to the delimiter, not to
 * the part. A missing close delimiter ends the last part at the end of the body.
 */
function splitMultipart(
  bytes: Uint8Array,
  start: number,
  end: number,
  boundary: Uint8Array,
): ByteRange[] {
  const ranges: ByteRange[] = [];
  let partStart = -1;
  let i = start;
  while (i < end) {
    const lineEnd = Math.min(nextLine(bytes, i, end), end);
    if (bytes[i] === DASH && bytes[i + 1] === DASH && startsWith(bytes, i + 2, boundary, end)) {
      let k = i + 2 + boundary.length;
      const closing = bytes[k] === DASH && bytes[k + 1] === DASH && k + 1 < lineEnd;
      if (!closing) {
        while (k < lineEnd && (bytes[k] === SP || bytes[k] === HT || bytes[k] === CR)) k++;
      }
      if (closing || k === lineEnd || (k === lineEnd - 1 && bytes[k] === LF)) {
        if (partStart >= 0) {
          let partEnd = i;
          if (bytes[partEnd - 1] === LF) partEnd--;
          if (bytes[partEnd - 1] === CR) partEnd--;
          ranges.push({ start: partStart, end: Math.max(partStart, partEnd) });
        }
        if (closing) return ranges;
        partStart = lineEnd;
      }
    }
    i = lineEnd;
  }
  if (partStart >= 0 && partStart < end) ranges.push({ start: partStart, end });
  return ranges;
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array, end: number): boolean {
  if (at + prefix.length > end) return false;
  for (let k = 0; k < prefix.length; k++) if (bytes[at + k] !== prefix[k]) return false;
  return true;
}

interface Budget {
  parts: number;
}

function scanEntity(
  bytes: Uint8Array,
  start: number,
  end: number,
  defaultType: readonly [string, string],
  depth: number,
  budget: Budget,
): MimeEntity {
  const bodyStart = headerEnd(bytes, start, end);
  const entity: MimeEntity = {
    header: { start, end: bodyStart },
    body: { start: bodyStart, end },
    type: defaultType[0],
    subtype: defaultType[1],
    params: [],
    fields: {},
    parts: [],
  };
  for (const field of headerFields(bytes, entity.header)) {
    // Only names starting "content-" can be MIME fields: a cheap test per line.
    if (field.nameEnd - field.start < 8 || (bytes[field.start + 7] !== DASH)) continue;
    for (const name of MIME_FIELDS) {
      if (entity.fields[name] === undefined && fieldNameIs(bytes, field, name)) {
        entity.fields[name] = field;
      }
    }
  }
  const contentType = entity.fields["content-type"];
  const media = contentType && mediaType(fieldValue(bytes, contentType));
  if (media) Object.assign(entity, media);
  if (depth >= SCAN_LIMITS.depth) return entity; // a bomb of nested parts: stop describing deeper
  if (entity.type === "multipart") {
    const boundary = entity.params.find(([n]) => n === "boundary")?.[1];
    if (!boundary) return entity;
    // RFC 2046 5.1.5: in a digest, parts default to message/rfc822.
    const child = entity.subtype === "digest" ? ["message", "rfc822"] as const : TEXT_PLAIN;
    const delimiter = new TextEncoder().encode(boundary);
    for (const range of splitMultipart(bytes, bodyStart, end, delimiter)) {
      if (budget.parts >= SCAN_LIMITS.parts) break;
      budget.parts++;
      entity.parts.push(scanEntity(bytes, range.start, range.end, child, depth + 1, budget));
    }
  } else if (entity.type === "message" && entity.subtype === "rfc822") {
    if (budget.parts < SCAN_LIMITS.parts) {
      budget.parts++;
      entity.message = scanEntity(bytes, bodyStart, end, TEXT_PLAIN, depth + 1, budget);
    }
  }
  return entity;
}

const TEXT_PLAIN = ["text", "plain"] as const;

/**
 * Scan a message: its MIME tree with byte ranges. Never throws.
 *
 * @example
 * ```ts
 * import { fieldValue, scanMessage } from "./scan_message.ts";
 * const bytes = new TextEncoder().encode(
 *   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\none\r\n' +
 *     "--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\n",
 * );
 * const root = scanMessage(bytes);
 * const two = root.parts[1];
 * if (two.subtype !== "html") throw new Error(two.subtype);
 * // BODY[2] in IMAP terms, and a field decoded on demand:
 * if (new TextDecoder().decode(bytes.subarray(two.body.start, two.body.end)) !== "<p>two</p>") throw new Error();
 * if (fieldValue(bytes, two.fields["content-type"]!) !== "text/html") throw new Error();
 * ```
 */
export function scanMessage(bytes: Uint8Array): MimeEntity {
  return scanEntity(bytes, 0, bytes.length, TEXT_PLAIN, 0, { parts: 0 });
}
