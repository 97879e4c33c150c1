/**
 * Header fields (RFC 5322 section 2.2): `Name: value` lines, in order, where a value
 * may continue on following lines that begin with white space ("folding").
 *
 * Parsing unfolds (2.2.3: remove each CRLF that is followed by white space) and keeps
 * every field in its original order, duplicates included (Received: fields are a
 * history, newest first). Names compare case-insensitively (RFC 5322 1.2.2).
 * Formatting folds at white space so lines stay within 78 characters when the value
 * allows, and refuses values that could never fit the hard limit of 998 (2.1.1).
 *
 * @module
 */

/** RFC 5322 2.1.1: lines SHOULD be at most 78 characters, MUST be at most 998. */
export const LINE_LIMIT = { recommended: 78, maximum: 998 } as const;

/** One header field: name as written, value unfolded but otherwise raw. */
export interface HeaderField {
  name: string;
  value: string;
}

/** RFC 5322 3.6.8: a field name is printable US-ASCII except ":". */
const FIELD_NAME = /^[!-9;-~]+$/;

/** The header fields of a message or MIME part, in order. */
export class HeaderFields implements Iterable<HeaderField> {
  /** Every field, in the order it appeared. */
  readonly fields: readonly HeaderField[];

  constructor(fields: readonly HeaderField[] = []) {
    this.fields = fields;
  }

  /** The first field's value with this name (any letter case), or undefined. */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.fields.find((f) => f.name.toLowerCase() === lower)?.value;
  }

  /** Every value of fields with this name, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
  }

  /** Is there a field with this name? */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }
}

/**
 * Remove folding: CRLF (or a bare LF) followed by white space (RFC 5322 2.2.3).
 *
 * @example
 * ```ts
 * import { unfold } from "./headers.ts";
 * if (unfold("a very\r\n long subject") !== "a very long subject") throw new Error();
 * ```
 */
export function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, "");
}

/**
 * Parse a header section (everything before the first empty line) into fields.
 * Lines that are neither a field nor a continuation (an mbox "From " line, junk) are
 * skipped rather than failing the message. Never throws.
 *
 * @example
 * ```ts
 * import { parseHeaders } from "./headers.ts";
 * const headers = parseHeaders("Subject: hello\r\n world\r\nTo: a@example.org\r\n");
 * if (headers.get("subject") !== "hello world") throw new Error();
 * ```
 */
export function parseHeaders(text: string): HeaderFields {
  const fields: HeaderField[] = [];
  let current: { name: string; lines: string[] } | null = null;
  const finish = () => {
    if (current) fields.push({ name: current.name, value: current.lines.join("").trim() });
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === "") {
      finish();
      continue;
    }
    if ((line[0] === " " || line[0] === "\t") && current) {
      (current as { lines: string[] }).lines.push(line);
      continue;
    }
    finish();
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trimEnd() : "";
    // RFC 5322 4.5.4 (obsolete syntax): white space before the colon is tolerated.
    if (FIELD_NAME.test(name)) current = { name, lines: [line.slice(colon + 1)] };
  }
  finish();
  return new HeaderFields(fields);
}

/**
 * Format one field as `Name: value`, folded with CRLF + space at white space so that
 * lines are at most `lineLength` (78) characters where possible. An unbreakable run
 * longer than the line stays whole on its own line.
 *
 * @throws {TypeError} the name is not a valid field name, the value contains CR or LF
 *   (header injection), or a line would exceed 998 characters.
 *
 * @example
 * ```ts
 * import { foldHeader } from "./headers.ts";
 * const folded = foldHeader("Subject", "word ".repeat(20).trim());
 * if (!folded.split("\r\n").every((line) => line.length <= 78)) throw new Error();
 * ```
 */
export function foldHeader(name: string, value: string, lineLength = 78): string {
  if (!FIELD_NAME.test(name)) {
    throw new TypeError(`Cannot format header: invalid field name ${JSON.stringify(name)}`);
  }
  if (/[\r\n]/.test(value)) {
    throw new TypeError(`Cannot format header ${name}: the value contains CR or LF`);
  }
  const words = value.split(/(?=[ \t])/); // each piece but the first starts with its space
  const lines: string[] = [];
  let line = `${name}:`;
  if (words[0] !== "" && !/^[ \t]/.test(words[0])) words[0] = " " + words[0];
  for (const word of words) {
    if (line.length + word.length > lineLength && line.trim() !== `${name}:`) {
      lines.push(line);
      line = word; // the white space starts the continuation line
    } else {
      line += word;
    }
  }
  lines.push(line);
  const long = lines.find((l) => l.length > LINE_LIMIT.maximum);
  if (long) {
    throw new TypeError(
      `Cannot format header ${name}: a line of ${long.length} characters exceeds 998`,
    );
  }
  return lines.join("\r\n");
}
