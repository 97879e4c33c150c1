/**
 * SMTP replies: a three-digit code, an optional enhanced status code, and text lines.
 *
 * RFC 5321 4.2: every line of a reply starts with the same code; the separator after the
 * code is `-` on every line but the last, where it is a space. RFC 2034 (ENHANCEDSTATUSCODES)
 * adds a `class.subject.detail` code after the three digits, e.g. `250 2.1.0 Ok`.
 *
 * This file holds the pure half: formatting a reply into lines (server side) and parsing
 * lines back into a reply (client side). They are inverses, and the tests prove it.
 *
 * @module
 */

/** One SMTP reply, possibly spread over several lines. */
export interface Reply {
  /** The three-digit reply code (RFC 5321 4.2.1). */
  code: number;
  /** The RFC 3463 enhanced status code, e.g. `"2.1.0"`, when the reply carries one. */
  enhanced?: string;
  /** The text of each line, without code, separator or enhanced code. */
  lines: string[];
}

/** What the first digit of a reply code means (RFC 5321 4.2.1). */
export const REPLY_CLASS = {
  /** 2yz: the command was accepted. */
  2: "positive completion",
  /** 3yz: go on, send the rest (DATA's 354, AUTH's 334). */
  3: "positive intermediate",
  /** 4yz: not now; the same command may work later. */
  4: "transient negative",
  /** 5yz: no; do not repeat the command as it is. */
  5: "permanent negative",
} as const;

/** The meaning of a reply's first digit, e.g. `"transient negative"` for 451. */
export function replyClass(code: number): string {
  return REPLY_CLASS[Math.floor(code / 100) as keyof typeof REPLY_CLASS] ?? "unknown";
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Format a reply as lines ready for the wire (without CRLF): `250-first`, `250 last`.
 *
 * @example A multi-line EHLO reply
 * ```ts
 * import { formatReply } from "./reply.ts";
 * const lines = formatReply({ code: 250, lines: ["mx.test", "PIPELINING", "8BITMIME"] });
 * if (lines.join("|") !== "250-mx.test|250-PIPELINING|250 8BITMIME") throw new Error(lines.join("|"));
 * ```
 */
export function formatReply(reply: Reply): string[] {
  if (!Number.isInteger(reply.code) || reply.code < 200 || reply.code > 599) {
    throw new RangeError(`Cannot format reply: code ${reply.code} is not in 200..599`);
  }
  if (reply.enhanced !== undefined && !ENHANCED.test(reply.enhanced)) {
    throw new RangeError(`Cannot format reply: bad enhanced code ${reply.enhanced}`);
  }
  const texts = reply.lines.length ? reply.lines : [""];
  return texts.map((text, i) => {
    if (/[\r\n]/.test(text)) throw new TypeError("Cannot format reply: text contains CR or LF");
    const separator = i === texts.length - 1 ? " " : "-";
    const body = reply.enhanced ? `${reply.enhanced} ${text}`.trimEnd() : text;
    return `${reply.code}${separator}${body}`;
  });
}

/** A reply line that does not follow RFC 5321 4.2. */
export class ReplySyntaxError extends Error {
  constructor(message: string, readonly line: string) {
    super(`${message}: ${JSON.stringify(line)}`);
    this.name = "ReplySyntaxError";
  }
}

/** One parsed reply line. */
export interface ReplyLine {
  code: number;
  /** True on the last line of a reply (separator is a space or nothing). */
  last: boolean;
  text: string;
}

/**
 * Parse one reply line: `250-PIPELINING` or `250 Ok` (or a bare `250`).
 *
 * @throws {ReplySyntaxError} no three-digit code, or a separator other than `-` or space.
 */
export function parseReplyLine(line: string): ReplyLine {
  const match = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s.exec(line);
  if (!match) {
    if (/^\d{3}/.test(line)) throw new ReplySyntaxError("Cannot parse reply: bad separator", line);
    throw new ReplySyntaxError("Cannot parse reply: missing code", line);
  }
  return { code: Number(match[1]), last: match[2] !== "-", text: match[3] ?? "" };
}

/**
 * Join the lines of one reply (as read from the wire, endings removed).
 *
 * The enhanced code is taken when the last line carries one; it is then removed from every
 * line that starts with it.
 *
 * @throws {ReplySyntaxError} lines disagree on the code, a line after the last, or no last line.
 *
 * @example Parse a two-line reply
 * ```ts
 * import { parseReply } from "./reply.ts";
 * const reply = parseReply(["250-mx.test greets you", "250 2.0.0 SIZE 1000"]);
 * if (reply.code !== 250 || reply.lines.length !== 2) throw new Error("unexpected");
 * ```
 */
export function parseReply(lines: readonly string[]): Reply {
  if (lines.length === 0) throw new ReplySyntaxError("Cannot parse reply: no lines", "");
  const parsed = lines.map(parseReplyLine);
  const code = parsed[0].code;
  parsed.forEach((p, i) => {
    if (p.code !== code) {
      throw new ReplySyntaxError(
        `Cannot parse reply: code ${p.code} differs from ${code}`,
        lines[i],
      );
    }
    if (p.last !== (i === parsed.length - 1)) {
      throw new ReplySyntaxError(
        p.last
          ? "Cannot parse reply: last-line marker before the end"
          : "Cannot parse reply: no last line",
        lines[i],
      );
    }
  });
  return splitEnhanced(code, parsed.map((p) => p.text));
}

function splitEnhanced(code: number, texts: string[]): Reply {
  const first = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/.exec(texts.at(-1)!);
  if (!first || first[1][0] !== String(code)[0]) return { code, lines: texts };
  const enhanced = first[1];
  const strip = (t: string) =>
    t === enhanced ? "" : t.startsWith(enhanced + " ") ? t.slice(enhanced.length + 1) : t;
  return { code, enhanced, lines: texts.map(strip) };
}

/**
 * Collects reply lines one at a time until a reply is complete, as a client reads them.
 *
 * @example
 * ```ts
 * import { ReplyCollector } from "./reply.ts";
 * const c = new ReplyCollector();
 * if (c.push("250-a") !== null) throw new Error("too early");
 * if (c.push("250 b")?.lines.length !== 2) throw new Error("unexpected");
 * ```
 */
export class ReplyCollector {
  #lines: string[] = [];

  /** Add a line; returns the reply once its last line arrived, else null. */
  push(line: string): Reply | null {
    const parsed = parseReplyLine(line);
    this.#lines.push(line);
    if (!parsed.last) {
      if (this.#lines.length > 1000) {
        throw new ReplySyntaxError("Cannot parse reply: over 1000 lines", line);
      }
      return null;
    }
    const lines = this.#lines;
    this.#lines = [];
    return parseReply(lines);
  }
}

/** The reply as one readable string, e.g. `"550 5.1.1 No such user"` (lines joined by " / "). */
export function replyText(reply: Reply): string {
  const text = reply.lines.join(" / ");
  return [String(reply.code), reply.enhanced, text].filter(Boolean).join(" ");
}
