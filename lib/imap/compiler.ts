/**
 * Values to bytes: the inverse of `parser.ts` (RFC 3501 4 and 9).
 *
 * Strings are written quoted when they can be (printable 7-bit text, no CR or LF, not too
 * long) and as literals otherwise, the choice RFC 3501 4.3 leaves to the sender.
 *
 * @module
 */

import { concatBytes } from "../mail/bytes.ts";
import { LIMITS } from "./constants.ts";
import type { ImapValue } from "./values.ts";

/** One piece of compiled output: text, then the literal that its `{n}` announced. */
export interface CompiledPiece {
  /** Text; when `literal` is set it ends with `{n}` (or `{n+}`) and CRLF. */
  text: string;
  literal?: Uint8Array;
}

/** Options for {@linkcode compile}. */
export interface CompileOptions {
  /** Write `{n+}` (RFC 7888 LITERAL+), so a client need not wait for `+`. Default false. */
  literalPlus?: boolean;
}

const encoder = new TextEncoder();

/** Whether `text` may travel as a quoted string (RFC 3501 9 `quoted`: 7-bit TEXT-CHARs). */
export function canQuote(text: string): boolean {
  if (text.length > LIMITS.maxQuotedLength) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0x7f) return false;
  }
  return true;
}

/** `text` as an IMAP quoted string, with `"` and `\` escaped. */
export function quote(text: string): string {
  return '"' + text.replace(/["\\]/g, (c) => "\\" + c) + '"';
}

/**
 * Compile values (separated by single spaces) into pieces ending with CRLF.
 *
 * @example
 * ```ts
 * import { compile } from "./compiler.ts";
 * import { atom, list, str } from "./values.ts";
 * const pieces = compile([atom("a1"), atom("LOGIN"), str("fred"), str("p\"w")]);
 * if (pieces[0].text !== 'a1 LOGIN "fred" "p\\"w"\r\n') throw new Error(pieces[0].text);
 * ```
 */
export function compile(
  values: readonly ImapValue[],
  options: CompileOptions = {},
): CompiledPiece[] {
  const pieces: CompiledPiece[] = [];
  let text = "";
  const plus = options.literalPlus ? "+" : "";
  const pushLiteral = (bytes: Uint8Array, binary = false) => {
    const marker = `${binary ? "~" : ""}{${bytes.length}${plus}}`;
    pieces.push({ text: text + marker + "\r\n", literal: bytes });
    text = "";
  };
  const write = (value: ImapValue) => {
    switch (value.type) {
      case "atom":
        text += value.value;
        if (value.section) {
          text += "[";
          value.section.forEach((v, i) => {
            if (i) text += " ";
            write(v);
          });
          text += "]";
          if (value.partial) text += `<${value.partial.join(".")}>`;
        }
        return;
      case "nil":
        text += "NIL";
        return;
      case "string":
        if (canQuote(value.value)) text += quote(value.value);
        else pushLiteral(encoder.encode(value.value));
        return;
      case "literal":
        pushLiteral(value.value, value.binary);
        return;
      case "list":
        text += "(";
        value.items.forEach((v, i) => {
          if (i) text += " ";
          write(v);
        });
        text += ")";
        return;
    }
  };
  values.forEach((v, i) => {
    if (i) text += " ";
    write(v);
  });
  pieces.push({ text: text + "\r\n" });
  return pieces;
}

/** Pieces as one byte array (a server writes responses in one go). */
export function piecesToBytes(pieces: readonly CompiledPiece[]): Uint8Array {
  const parts = pieces.flatMap((p) =>
    p.literal ? [encoder.encode(p.text), p.literal] : [encoder.encode(p.text)]
  );
  return concatBytes(parts);
}

/**
 * Compile a response line straight to bytes.
 *
 * @example
 * ```ts
 * import { compileLine } from "./compiler.ts";
 * import { atom, list } from "./values.ts";
 * const bytes = compileLine([atom("*"), atom(1), atom("FETCH"), list(atom("FLAGS"), list(atom("\\Seen")))]);
 * if (new TextDecoder().decode(bytes) !== "* 1 FETCH (FLAGS (\\Seen))\r\n") throw new Error("unexpected");
 * ```
 */
export function compileLine(values: readonly ImapValue[]): Uint8Array {
  return piecesToBytes(compile(values));
}
