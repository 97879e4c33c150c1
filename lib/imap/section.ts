/**
 * BODY[section]<partial> (RFC 3501 6.4.5): which octets of a message a FETCH returns.
 *
 * A section is a part path ("1.2") followed by an optional text specifier: HEADER,
 * HEADER.FIELDS (names), HEADER.FIELDS.NOT (names), TEXT or MIME. The part path walks
 * into multiparts and into message/rfc822 parts; a message that is not multipart has
 * one part, numbered 1.
 *
 * @module
 */

import { fieldNameIs, headerFields, type MimeEntity } from "../mail/mod.ts";
import { type ImapValue, textOf } from "./values.ts";

/** A parsed section specifier. */
export interface Section {
  /** Part numbers, e.g. [1, 2] for "1.2"; empty for the whole message. */
  path: number[];
  /** What of the part: all of it (""), or one of RFC 3501's text specifiers. */
  text: "" | "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";
  /** Field names for HEADER.FIELDS and HEADER.FIELDS.NOT. */
  fields: string[];
}

/** A section that does not follow RFC 3501 6.4.5. */
export class SectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SectionError";
  }
}

/**
 * Parse the values between `[` and `]` of a FETCH attribute.
 *
 * @example
 * ```ts
 * import { parseSection } from "./section.ts";
 * import { atom, list } from "./values.ts";
 * const s = parseSection([atom("1.HEADER.FIELDS"), list(atom("From"), atom("Subject"))]);
 * if (s.path[0] !== 1 || s.text !== "HEADER.FIELDS" || s.fields.length !== 2) throw new Error("unexpected");
 * ```
 */
export function parseSection(values: readonly ImapValue[]): Section {
  if (values.length === 0) return { path: [], text: "", fields: [] };
  const spec = textOf(values[0]);
  if (values[0].type !== "atom" || spec === null) {
    throw new SectionError("Cannot parse section: expected a part number or HEADER, TEXT, MIME");
  }
  const words = spec.toUpperCase().split(".");
  const path: number[] = [];
  while (words.length && /^\d+$/.test(words[0])) {
    const n = Number(words.shift());
    if (n < 1) throw new SectionError(`Cannot parse section ${spec}: part numbers start at 1`);
    path.push(n);
  }
  const text = words.join(".");
  const allowed = ["", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"];
  if (!allowed.includes(text) || (text === "MIME" && path.length === 0)) {
    throw new SectionError(`Cannot parse section ${spec}: unknown text specifier "${text}"`);
  }
  let fields: string[] = [];
  if (text.startsWith("HEADER.FIELDS")) {
    const names = values[1];
    if (names?.type !== "list" || names.items.length === 0 || values.length !== 2) {
      throw new SectionError(`Cannot parse section ${spec}: expected a list of header field names`);
    }
    fields = names.items.map((v) => {
      const name = textOf(v);
      if (name === null) throw new SectionError(`Cannot parse section ${spec}: bad field name`);
      return name;
    });
  } else if (values.length !== 1) {
    throw new SectionError(`Cannot parse section ${spec}: unexpected values after it`);
  }
  return { path, text: text as Section["text"], fields };
}

/** The section as the client wrote it, for the FETCH response (`BODY[1.MIME]`). */
export function sectionName(section: Section): string {
  const parts = [...section.path.map(String)];
  if (section.text) parts.push(section.text);
  return parts.join(".");
}

/** Walk a part path ([1, 2] for "1.2"); null when the part does not exist. */
export function findPart(root: MimeEntity, path: readonly number[]): MimeEntity | null {
  let current = root;
  let isMessage = true; // root is a message; so is the inside of message/rfc822
  for (const n of path) {
    let container = current;
    if (!isMessage && current.message) container = current.message;
    else if (!isMessage && current.type !== "multipart") return null;
    if (container.type === "multipart") {
      const next = container.parts[n - 1];
      if (!next) return null;
      current = next;
    } else {
      if (n !== 1) return null;
      current = container; // the single part of a non-multipart message
    }
    isMessage = false;
  }
  return current;
}

/**
 * The fields named (or, with `not`, all but those), as written, then the blank line that
 * ends a header (RFC 3501 6.4.5). Two walks over the header, one to size the result and
 * one to fill it, so nothing is kept per field however long the header is.
 */
function selectFields(
  bytes: Uint8Array,
  part: MimeEntity,
  names: string[],
  not: boolean,
): Uint8Array {
  const wanted = names.map((n) => n.toLowerCase());
  const chosen = function* () {
    for (const field of headerFields(bytes, part.header)) {
      if (wanted.some((name) => fieldNameIs(bytes, field, name)) !== not) yield field;
    }
  };
  let size = 2;
  for (const field of chosen()) size += field.end - field.start;
  const out = new Uint8Array(size);
  let at = 0;
  for (const field of chosen()) {
    out.set(bytes.subarray(field.start, field.end), at);
    at += field.end - field.start;
  }
  out.set([0x0d, 0x0a], at);
  return out;
}

/**
 * The octets of a section, or null when the message has no such part (the FETCH then
 * returns an empty string, as Dovecot does).
 */
export function sectionBytes(
  bytes: Uint8Array,
  root: MimeEntity,
  section: Section,
): Uint8Array | null {
  const part = findPart(root, section.path);
  if (!part) return null;
  switch (section.text) {
    case "":
      return section.path.length === 0 ? bytes : bytes.subarray(part.body.start, part.body.end);
    case "MIME":
      return bytes.subarray(part.header.start, part.header.end);
  }
  // HEADER, HEADER.FIELDS, TEXT: of the message itself, or of a message/rfc822 part.
  const message = section.path.length === 0 ? root : part.message;
  if (!message) return null;
  if (section.text === "TEXT") return bytes.subarray(message.body.start, message.body.end);
  if (section.text === "HEADER") return bytes.subarray(message.header.start, message.header.end);
  return selectFields(bytes, message, section.fields, section.text === "HEADER.FIELDS.NOT");
}
