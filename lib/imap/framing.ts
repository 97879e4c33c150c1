/**
 * Bytes to IMAP frames: a line, or a line with `{n}` literals spliced in (RFC 3501 2.2, 4.3).
 *
 * An IMAP command (or response) is one CRLF line, except that a string may be sent as a
 * literal: `{n}` at the end of a line announces n raw octets that follow the CRLF, after
 * which the line goes on. From client to server, a synchronizing literal `{n}` waits for
 * the server's `+` continuation; a non-synchronizing one `{n+}` (RFC 7888 LITERAL+) is sent
 * at once. The size is checked against a cap before a single octet is read or allocated:
 * "{4294967295}" must not make the server reserve 4 GB.
 *
 * @module
 */

import { type ByteSource, LineReader, type LineReaderOptions } from "../net/mod.ts";
import { LIMITS } from "./constants.ts";

/** One command or response: text pieces with literals between them. */
export interface Frame {
  /**
   * The text lines, without CRLF. Each but the last ends with the `{n}` or `{n+}` marker
   * of the literal that follows it, so `lines.length === literals.length + 1`.
   */
  lines: string[];
  /** The literals' octets, in order. */
  literals: Uint8Array[];
  /** Octets on the wire, CRLFs and literals included. */
  size: number;
}

/**
 * A literal announced bigger than the cap, or one that would take the command's literals
 * past their total. Nothing of it has been read.
 */
export class LiteralTooLargeError extends Error {
  /** The announced size. */
  readonly size: number;
  /** The line that announced it (its tag tells whom to answer). */
  readonly line: string;
  /** Whether the peer waits for `+` (`{n}`) or is already sending (`{n+}`). */
  readonly synchronizing: boolean;
  constructor(size: number, limit: number, line: string, synchronizing: boolean, reason?: string) {
    super(reason ?? `Literal too large: ${size} octets announced, the limit is ${limit}`);
    this.name = "LiteralTooLargeError";
    this.size = size;
    this.line = line;
    this.synchronizing = synchronizing;
  }
}

/** The literal marker at the end of a line: `{123}` or `{123+}` (RFC 3501 9 `literal`, RFC 7888). */
const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

/** Size and kind of the literal a line announces, if any. */
export function literalAtEnd(line: string): { size: number; synchronizing: boolean } | null {
  const match = LITERAL_AT_END.exec(line);
  if (!match) return null;
  return { size: Number(match[1]), synchronizing: match[2] !== "+" };
}

/** What one frame may make the reader hold: the memory budget of a command. */
export interface FrameLimits {
  /** Largest literal accepted, in octets. Default LIMITS.maxLiteralSize. */
  maxLiteralSize?: number;
  /**
   * Most literals in one frame (each costs a round trip for the client, memory for us).
   * Default LIMITS.maxLiterals.
   */
  maxLiterals?: number;
  /**
   * Most octets all literals of one frame may add up to. Default: `maxLiteralSize`. Without
   * it, many literals each under the cap would still add up to gigabytes.
   */
  maxTotalLiteralSize?: number;
  /**
   * Most octets of text (the lines, literals excluded) a frame may hold before another
   * literal is accepted. Default LIMITS.maxCommandText. Without it, a thousand literals of
   * one octet, each after a line just under the line cap, would hold 64 MiB of text.
   */
  maxTextSize?: number;
}

/** Options for {@linkcode FrameReader}. */
export interface FrameReaderOptions extends LineReaderOptions, FrameLimits {}

/** Limits with their defaults filled in. */
export function frameLimits(limits: FrameLimits = {}): Required<FrameLimits> {
  const maxLiteralSize = limits.maxLiteralSize ?? LIMITS.maxLiteralSize;
  return {
    maxLiteralSize,
    maxLiterals: limits.maxLiterals ?? LIMITS.maxLiterals,
    maxTotalLiteralSize: limits.maxTotalLiteralSize ?? maxLiteralSize,
    maxTextSize: limits.maxTextSize ?? LIMITS.maxCommandText,
  };
}

/**
 * Reads frames. The `beforeLiteral` callback runs once the size passed the cap and before
 * the octets are read: a server sends its `+` continuation there.
 *
 * @example Read a command with a literal
 * ```ts
 * import { FrameReader } from "./framing.ts";
 * const bytes = new TextEncoder().encode('a1 LOGIN {4}\r\nfred "pw"\r\n');
 * let done = false;
 * const source = { read: (buf: Uint8Array) => {
 *   if (done) return Promise.resolve(null);
 *   buf.set(bytes); done = true; return Promise.resolve(bytes.length);
 * } };
 * const frame = await new FrameReader(source).readFrame();
 * if (frame?.lines[1] !== ' "pw"' || frame.literals[0].length !== 4) throw new Error("unexpected");
 * ```
 */
export class FrameReader {
  readonly lines: LineReader;
  /**
   * The budget of the next frames. A server narrows it before login (a user name and a
   * password need little) and widens it after.
   */
  limits: Required<FrameLimits>;

  constructor(source: ByteSource, options: FrameReaderOptions = {}) {
    this.lines = new LineReader(source, options);
    this.limits = frameLimits(options);
  }

  /**
   * The next frame, or null when the peer closed (mid-frame included).
   *
   * @throws {LiteralTooLargeError} a literal over the cap was announced (nothing read).
   * @throws {LineTooLongError} from the line reader; the line was skipped.
   * @throws {IdleTimeoutError} the peer went silent.
   */
  async readFrame(
    beforeLiteral?: (size: number, synchronizing: boolean) => void | Promise<void>,
  ): Promise<Frame | null> {
    const frame: Frame = { lines: [], literals: [], size: 0 };
    let total = 0; // literal octets held for this frame
    let text = 0; // octets of its lines
    while (true) {
      const line = await this.lines.readLine();
      if (line === null) return null;
      frame.lines.push(line.text);
      frame.size += line.bytes.length + (line.ending === "CRLF" ? 2 : 1);
      text += line.bytes.length;
      const literal = literalAtEnd(line.text);
      if (!literal) return frame;
      const { maxLiteralSize, maxLiterals, maxTotalLiteralSize, maxTextSize } = this.limits;
      const tooLarge = (reason?: string) =>
        new LiteralTooLargeError(
          literal.size,
          maxLiteralSize,
          frame.lines.join(""),
          literal.synchronizing,
          reason,
        );
      if (literal.size > maxLiteralSize) throw tooLarge();
      if (text > maxTextSize) {
        throw tooLarge(
          `Command too long: ${text} octets of text besides its literals, the limit is ${maxTextSize}`,
        );
      }
      if (frame.literals.length >= maxLiterals) {
        throw tooLarge(`Too many literals: the limit is ${maxLiterals} in one command`);
      }
      if (total + literal.size > maxTotalLiteralSize) {
        throw tooLarge(
          `Literals too large: ${total + literal.size} octets in one command, ` +
            `the limit is ${maxTotalLiteralSize}`,
        );
      }
      await beforeLiteral?.(literal.size, literal.synchronizing);
      const bytes = await this.lines.readBytes(literal.size);
      if (bytes === null) return null;
      frame.literals.push(bytes);
      frame.size += bytes.length;
      total += bytes.length;
    }
  }

  /** One plain line (an AUTHENTICATE answer, IDLE's DONE), or null at close. */
  async readLine(): Promise<string | null> {
    const line = await this.lines.readLine();
    return line === null ? null : line.text;
  }
}
