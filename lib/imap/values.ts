/**
 * The values IMAP sends (RFC 3501 4): atoms, numbers, strings (quoted or literal), NIL
 * and parenthesized lists. The parser produces them and the compiler writes them, so
 * one type serves both directions.
 *
 * @module
 */

/**
 * An atom: a bare word such as `FLAGS`, `\Seen`, `1:*` or `INBOX`. A fetch attribute like
 * `BODY[HEADER.FIELDS (From)]<0.100>` is an atom with a section and a partial range
 * (RFC 3501 6.4.5).
 */
export interface AtomValue {
  type: "atom";
  value: string;
  /** The values between `[` and `]`, when the atom carried a section. */
  section?: ImapValue[];
  /** `<origin>` or `<origin.count>` after the section. */
  partial?: [number] | [number, number];
}
/** A quoted string (RFC 3501 4.3), as text. */
export interface QuotedValue {
  type: "string";
  value: string;
}
/** A literal (RFC 3501 4.3): raw octets. */
export interface LiteralValue {
  type: "literal";
  value: Uint8Array;
  /** Sent as a literal8, `~{n}` (RFC 3516 4.3): its octets may hold NUL. */
  binary?: boolean;
}
/** NIL (RFC 3501 4.5). */
export interface NilValue {
  type: "nil";
}
/** A parenthesized list (RFC 3501 4.4). */
export interface ListValue {
  type: "list";
  items: ImapValue[];
}

/** Any IMAP value. */
export type ImapValue = AtomValue | QuotedValue | LiteralValue | NilValue | ListValue;

const decoder = new TextDecoder();

/** An atom. */
export function atom(value: string | number): AtomValue {
  return { type: "atom", value: String(value) };
}
/** A string; the compiler picks quoted or literal form from its content. */
export function str(value: string): QuotedValue {
  return { type: "string", value };
}
/** Octets that must travel as a literal (message bodies); `binary` makes it a literal8. */
export function literal(value: Uint8Array, binary = false): LiteralValue {
  return binary ? { type: "literal", value, binary } : { type: "literal", value };
}
/** NIL. */
export const NIL: NilValue = { type: "nil" };
/** A list. */
export function list(...items: ImapValue[]): ListValue {
  return { type: "list", items };
}
/** A string, or NIL when the value is null or undefined (ENVELOPE fields). */
export function nstr(value: string | null | undefined): QuotedValue | NilValue {
  return value === null || value === undefined ? NIL : str(value);
}

/**
 * The text of an atom, quoted string or literal (an `astring`), or null for NIL and lists.
 *
 * @example
 * ```ts
 * import { atom, textOf } from "./values.ts";
 * if (textOf(atom("INBOX")) !== "INBOX") throw new Error("unexpected");
 * ```
 */
export function textOf(value: ImapValue | undefined): string | null {
  if (!value) return null;
  switch (value.type) {
    case "atom":
    case "string":
      return value.value;
    case "literal":
      return decoder.decode(value.value);
    default:
      return null;
  }
}

/** The octets of a string value (literal bytes as they are; text as UTF-8). */
export function bytesOf(value: ImapValue | undefined): Uint8Array | null {
  if (value?.type === "literal") return value.value;
  const text = textOf(value);
  return text === null ? null : new TextEncoder().encode(text);
}

/** A non-negative number (RFC 3501 `number`: 0 to 4294967295), or null. */
export function numberOf(value: ImapValue | undefined): number | null {
  if (value?.type !== "atom" || !/^\d{1,10}$/.test(value.value)) return null;
  const n = Number(value.value);
  return n <= 0xffffffff ? n : null;
}

/** Whether a value is the atom `word` (case-insensitive, as IMAP keywords are). */
export function isAtom(value: ImapValue | undefined, word: string): boolean {
  return value?.type === "atom" && !value.section && value.value.toUpperCase() === word;
}
