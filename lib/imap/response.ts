/**
 * Server responses as the client sees them (RFC 3501 7): continuation requests (`+`),
 * untagged data (`* 3 EXISTS`, `* LIST (...) "/" INBOX`), and tagged completions
 * (`a1 OK [READ-WRITE] SELECT completed`).
 *
 * @module
 */

import type { Frame } from "./framing.ts";
import { ImapParseError, Parser } from "./parser.ts";
import type { ImapValue } from "./values.ts";

/** The status words of RFC 3501 7.1. */
const STATUS_WORDS = new Set(["OK", "NO", "BAD", "BYE", "PREAUTH"]);

/** One parsed response. */
export interface ImapResponse {
  /** "*" for untagged, "+" for a continuation request, else the command's tag. */
  tag: string;
  /** Upper-case type: OK, NO, BAD, BYE, PREAUTH, CAPABILITY, LIST, EXISTS, FETCH... ("" for "+"). */
  type: string;
  /** The number before EXISTS, RECENT, EXPUNGE, FETCH. */
  number?: number;
  /** A status response's code: `[UIDNEXT 4]` is { name: "UIDNEXT", text: "4" }. */
  code?: { name: string; text: string };
  /** A status or continuation response's human-readable text. */
  text?: string;
  /** The data values of other responses (after the type). */
  values: ImapValue[];
}

/**
 * Parse one response frame.
 *
 * @example
 * ```ts
 * import { parseResponse } from "./response.ts";
 * const r = parseResponse({ lines: ["* OK [UIDVALIDITY 3857529045] UIDs valid"], literals: [], size: 0 });
 * if (r.type !== "OK" || r.code?.name !== "UIDVALIDITY" || r.code.text !== "3857529045") throw new Error("unexpected");
 * ```
 */
export function parseResponse(frame: Frame): ImapResponse {
  const first = frame.lines[0];
  if (first.startsWith("+")) {
    return { tag: "+", type: "", text: first.slice(1).trimStart(), values: [] };
  }
  const p = new Parser(frame);
  const tag = p.readTag();
  if (p.atEnd()) throw new ImapParseError(`Cannot parse response: nothing after the tag ${tag}`);
  let word = p.readAtom().value;
  let number: number | undefined;
  if (/^\d+$/.test(word)) {
    number = Number(word);
    word = p.readAtom().value;
  }
  const type = word.toUpperCase();
  if (STATUS_WORDS.has(type)) {
    p.skipSpaces();
    let code: ImapResponse["code"];
    if (p.peek() === "[") {
      p.expect("[");
      const inner = p.readUntil("]");
      p.expect("]");
      const space = inner.indexOf(" ");
      code = space < 0
        ? { name: inner.toUpperCase(), text: "" }
        : { name: inner.slice(0, space).toUpperCase(), text: inner.slice(space + 1) };
    }
    return { tag, type, number, code, text: p.rest().trim(), values: [] };
  }
  if (tag !== "*") {
    throw new ImapParseError(`Cannot parse response: tagged ${type} is not a status`);
  }
  return { tag, type, number, values: p.readAll() };
}
