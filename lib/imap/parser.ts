/**
 * Frames to values: the IMAP tokenizer (RFC 3501 9, formal syntax), shared by the server
 * (reading commands) and the client (reading responses).
 *
 * The compiler in `compiler.ts` is its inverse; `parser_test.ts` checks the round trip.
 *
 * @module
 */

import { LIMITS } from "./constants.ts";
import type { Frame } from "./framing.ts";
import { literalAtEnd } from "./framing.ts";
import type { AtomValue, ImapValue, LiteralValue } from "./values.ts";

/** Input that does not follow the IMAP grammar. Servers answer it with BAD. */
export class ImapParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImapParseError";
  }
}

/**
 * Characters that end an atom (RFC 3501 9 `atom-specials`, less `%` and `*`, which LIST
 * patterns and sequence sets use, less `\`, which starts a flag, and less `]`, which an
 * `astring` may hold). `[` and `<` are ATOM-CHARs: `SELECT a[b<c` names a mailbox.
 * Controls (below 0x20, and 0x7f) end an atom too.
 */
const ATOM_END = new Set([" ", "(", ")", "{", '"']);

/**
 * The fetch attributes whose `[` opens a section (RFC 3501 6.4.5 BODY[], BODY.PEEK[];
 * RFC 3516 BINARY[], BINARY.PEEK[], BINARY.SIZE[]). Any other atom keeps its `[`.
 */
const SECTION_ATOMS = new Set(["BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE"]);

/** Options for {@linkcode Parser}. */
export interface ParserOptions {
  /**
   * Deepest nesting of lists accepted: `((((...))))` 10,000 deep is an ImapParseError
   * (answered BAD), never a stack overflow. Default LIMITS.maxNesting.
   */
  maxDepth?: number;
  /**
   * Whether the atom NIL is read as NIL (default). A server reading commands turns it
   * off: where a command takes an astring or a flag, `NIL` is just the word (RFC 3501 9:
   * `SEARCH SUBJECT NIL` searches for "NIL").
   */
  nil?: boolean;
}

/**
 * A cursor over one frame. `readValue()` reads the next value; the response reader also
 * needs `readAtom()` and `rest()` (a response's human-readable text).
 *
 * @example
 * ```ts
 * import { Parser } from "./parser.ts";
 * const p = new Parser({ lines: ['a1 FETCH 1:3 (FLAGS BODY.PEEK[HEADER.FIELDS (From)]<0.10>)'], literals: [], size: 0 });
 * const values = p.readAll();
 * if (values.length !== 4 || values[3].type !== "list") throw new Error("unexpected");
 * ```
 */
export class Parser {
  readonly #frame: Frame;
  readonly #maxDepth: number;
  readonly #nil: boolean;
  #line = 0;
  #pos = 0;
  #depth = 0;
  /** Inside a `[section]`, where `]` closes instead of belonging to an atom. */
  #sections = 0;

  constructor(frame: Frame, options: ParserOptions = {}) {
    this.#frame = frame;
    this.#maxDepth = options.maxDepth ?? LIMITS.maxNesting;
    this.#nil = options.nil ?? true;
  }

  get #text(): string {
    return this.#frame.lines[this.#line];
  }

  /** Where the cursor is, for error messages. */
  where(): string {
    return this.#frame.lines.length > 1
      ? `line ${this.#line + 1}, column ${this.#pos + 1}`
      : `column ${this.#pos + 1}`;
  }

  /** True when nothing but spaces is left. */
  atEnd(): boolean {
    this.skipSpaces();
    return this.#line === this.#frame.lines.length - 1 && this.#pos >= this.#text.length;
  }

  /** Skip spaces (the grammar has exactly one SP; we are lenient about more). */
  skipSpaces(): void {
    while (this.#text[this.#pos] === " ") this.#pos++;
  }

  /** The next character, without consuming it. */
  peek(): string | undefined {
    return this.#text[this.#pos];
  }

  /** Everything left on the current line (a response's text), consumed. */
  rest(): string {
    const text = this.#text.slice(this.#pos);
    this.#pos = this.#text.length;
    return text;
  }

  /** The raw text up to (not including) `char` on the current line, consumed; for response codes. */
  readUntil(char: string): string {
    const end = this.#text.indexOf(char, this.#pos);
    if (end < 0) throw new ImapParseError(`Cannot parse: "${char}" missing after ${this.where()}`);
    const text = this.#text.slice(this.#pos, end);
    this.#pos = end;
    return text;
  }

  /**
   * Consume `char` or fail. An expected `[` opens a bracket (a response code) that the
   * expected `]` closes: in between, atoms end at `]`.
   */
  expect(char: string): void {
    if (this.#text[this.#pos] !== char) {
      throw new ImapParseError(
        `Cannot parse: expected "${char}" at ${this.where()}, found ${describe(this.peek())}`,
      );
    }
    this.#pos++;
    if (char === "[") this.#sections++;
    if (char === "]" && this.#sections > 0) this.#sections--;
  }

  /** Every remaining value. */
  readAll(): ImapValue[] {
    const out: ImapValue[] = [];
    while (!this.atEnd()) out.push(this.readValue());
    return out;
  }

  /** The next value. */
  readValue(): ImapValue {
    this.skipSpaces();
    const c = this.peek();
    if (c === undefined) throw new ImapParseError(`Cannot parse: value missing at ${this.where()}`);
    if (c === "(") return this.#readList(")");
    if (c === '"') return { type: "string", value: this.#readQuoted() };
    if (c === "{") return this.#readLiteral();
    if (c === "~" && this.#text[this.#pos + 1] === "{") {
      // A literal8 (RFC 3516 4.3): octets that may hold NUL.
      this.#pos++;
      return { ...this.#readLiteral(), binary: true };
    }
    const value = this.readAtom();
    if (this.#nil && value.value.toUpperCase() === "NIL" && !value.section) return { type: "nil" };
    return value;
  }

  /**
   * A tag (RFC 3501 9 `tag`: ASTRING-CHARs but "+"): everything up to the first space,
   * read as text. `[` is an ATOM-CHAR, so `BODY[4` is a tag, not the start of a section.
   */
  readTag(): string {
    this.skipSpaces();
    const start = this.#pos;
    while (this.#pos < this.#text.length && this.#text[this.#pos] !== " ") this.#pos++;
    if (this.#pos === start) {
      throw new ImapParseError(`Cannot parse: tag missing at ${this.where()}`);
    }
    return this.#text.slice(start, this.#pos);
  }

  /** An atom, with its `[section]` and `<partial>` if it carries them. */
  readAtom(): AtomValue {
    this.skipSpaces();
    const start = this.#pos;
    while (this.#pos < this.#text.length) {
      const c = this.#text[this.#pos];
      if (ATOM_END.has(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) break;
      if (c === "]" && this.#sections > 0) break;
      if (c === "[" && SECTION_ATOMS.has(this.#text.slice(start, this.#pos).toUpperCase())) break;
      this.#pos++;
    }
    const atom: AtomValue = { type: "atom", value: this.#text.slice(start, this.#pos) };
    if (this.peek() === "[") {
      this.#sections++;
      try {
        atom.section = this.#readList("]").items;
      } finally {
        this.#sections--;
      }
      if (this.peek() === "<") atom.partial = this.#readPartial();
    }
    if (atom.value === "" && !atom.section) {
      throw new ImapParseError(
        `Cannot parse: unexpected ${describe(this.peek())} at ${this.where()}`,
      );
    }
    return atom;
  }

  #readList(close: ")" | "]"): { type: "list"; items: ImapValue[] } {
    if (this.#depth >= this.#maxDepth) {
      throw new ImapParseError(
        `Cannot parse: lists nested deeper than ${this.#maxDepth} levels at ${this.where()}`,
      );
    }
    this.#depth++;
    try {
      return this.#readItems(close);
    } finally {
      this.#depth--;
    }
  }

  #readItems(close: ")" | "]"): { type: "list"; items: ImapValue[] } {
    this.#pos++; // "(" or "["
    const items: ImapValue[] = [];
    while (true) {
      this.skipSpaces();
      const c = this.peek();
      if (c === close) {
        this.#pos++;
        return { type: "list", items };
      }
      if (c === undefined) {
        throw new ImapParseError(`Cannot parse: list not closed by "${close}" at ${this.where()}`);
      }
      if (c === ")" || (c === "]" && this.#sections > 0)) {
        throw new ImapParseError(`Cannot parse: unexpected "${c}" at ${this.where()}`);
      }
      items.push(this.readValue());
    }
  }

  #readQuoted(): string {
    this.#pos++; // opening quote
    let out = "";
    while (true) {
      const c = this.#text[this.#pos++];
      if (c === undefined) {
        throw new ImapParseError(`Cannot parse: quoted string not closed at ${this.where()}`);
      }
      if (c === '"') return out;
      if (c === "\0" || c === "\r" || c === "\n") {
        // RFC 3501 9: a quoted string holds TEXT-CHARs, which exclude NUL (not a CHAR), CR
        // and LF. A bare CR would otherwise reach a mailbox name or a search string.
        this.#pos--; // point at it
        throw new ImapParseError(
          `Cannot parse: ${
            c === "\0" ? "NUL" : c === "\r" ? "CR" : "LF"
          } inside a quoted string (${this.where()}); send such octets as a literal`,
        );
      }
      if (c === "\\") {
        // RFC 3501 9: quoted-specials are only DQUOTE and backslash.
        const next = this.#text[this.#pos++];
        if (next !== '"' && next !== "\\") {
          throw new ImapParseError(
            // describe() escapes what it names: a bare CR after the backslash must not
            // reach the reply line.
            `Cannot parse: a backslash before ${
              describe(next)
            } is not an escape in a quoted string (${this.where()})`,
          );
        }
        out += next;
      } else {
        out += c;
      }
    }
  }

  #readLiteral(): LiteralValue {
    const marker = literalAtEnd(this.#text.slice(this.#pos));
    if (!marker || !/^\{\d+\+?\}$/.test(this.#text.slice(this.#pos))) {
      throw new ImapParseError(
        `Cannot parse: a literal marker must end its line (${this.where()})`,
      );
    }
    const bytes = this.#frame.literals[this.#line];
    if (!bytes || bytes.length !== marker.size) {
      throw new ImapParseError(`Cannot parse: literal data missing at ${this.where()}`);
    }
    this.#line++;
    this.#pos = 0;
    return { type: "literal", value: bytes };
  }

  #readPartial(): [number] | [number, number] {
    const match = /^<(\d{1,10})(?:\.(\d{1,10}))?>/.exec(this.#text.slice(this.#pos));
    if (!match) throw new ImapParseError(`Cannot parse: bad <partial> range at ${this.where()}`);
    this.#pos += match[0].length;
    return match[2] === undefined ? [Number(match[1])] : [Number(match[1]), Number(match[2])];
  }
}

function describe(c: string | undefined): string {
  return c === undefined ? "end of line" : JSON.stringify(c);
}

/**
 * Parse a whole frame into values.
 *
 * @example
 * ```ts
 * import { parseFrame } from "./parser.ts";
 * const [tag, name, user] = parseFrame({ lines: ['a1 LOGIN "fred" pw'], literals: [], size: 0 });
 * if (tag.type !== "atom" || user.type !== "string" || name.type !== "atom") throw new Error("unexpected");
 * ```
 */
export function parseFrame(frame: Frame): ImapValue[] {
  return new Parser(frame).readAll();
}
