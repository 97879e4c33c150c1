/**
 * Lines to bytes: the other half of {@linkcode LineReader}.
 *
 * Every line leaves with CRLF. Text that itself contains CR or LF is refused: that is how
 * command and header injection happens (Go's net/smtp refuses it the same way). NUL is
 * refused too: no line of SMTP, POP3 or IMAP may carry it (RFC 5321 4.1.1, RFC 3501 9),
 * and a peer written in C would take it for the end of the line.
 *
 * @module
 */

/** Anything we can write bytes to: a `Deno.Conn`, a file, a test double. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** Write every byte; `Deno.Conn.write` may write fewer than asked. */
export async function writeAll(sink: ByteSink, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await sink.write(bytes.subarray(written));
}

/**
 * Encode lines as one CRLF-terminated block.
 *
 * @throws {TypeError} a line contains CR, LF or NUL.
 *
 * @example
 * ```ts
 * import { encodeLines } from "./line_writer.ts";
 * const bytes = encodeLines(["250-hello", "250 SIZE 1000"]);
 * if (bytes.length !== 26) throw new Error("unexpected");
 * ```
 */
export function encodeLines(lines: readonly string[]): Uint8Array {
  for (const line of lines) {
    if (/[\r\n\0]/.test(line)) {
      throw new TypeError(
        `Cannot write line: it contains CR, LF or NUL: ${JSON.stringify(line.slice(0, 100))}`,
      );
    }
  }
  return encoder.encode(lines.map((line) => line + "\r\n").join(""));
}

/** Writes CRLF-terminated lines to a sink. */
export class LineWriter {
  readonly #sink: ByteSink;
  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Send one line (CRLF is added). */
  writeLine(line: string): Promise<void> {
    return writeAll(this.#sink, encodeLines([line]));
  }

  /** Send several lines in a single write, as a multi-line reply should go. */
  writeLines(lines: readonly string[]): Promise<void> {
    return writeAll(this.#sink, encodeLines(lines));
  }

  /** Send bytes as they are (message bodies, literals). */
  writeBytes(bytes: Uint8Array): Promise<void> {
    return writeAll(this.#sink, bytes);
  }
}
