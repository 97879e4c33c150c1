/**
 * The DATA block: a message sent as lines, ended by a line holding one dot.
 *
 * RFC 5321 4.1.1.4 and 4.5.2: the sender doubles a dot at the start of a line
 * ("dot-stuffing"), ends the message with CRLF "." CRLF, and the receiver removes one
 * leading dot from each line. The end of data is CRLF.CRLF and nothing else: a server
 * that also ends data at LF "." LF can be fed a second, smuggled message inside the first
 * (SMTP smuggling, 2023; RFC 5321 2.3.8 says lines end with CRLF only). So this reader
 * refuses a message containing a bare CR or LF, and when the sender's idea of the end
 * could differ from ours (a lone "." line next to a bare LF), it tells the server to
 * close the connection rather than guess.
 *
 * @module
 */

import { type LineReader, LineTooLongError } from "../net/mod.ts";
import { SmtpError } from "./error.ts";

/** Limits for {@linkcode readDataBlock}. */
export interface DataLimits {
  /** Largest message accepted, in bytes after un-stuffing (the SIZE we advertise). */
  maxSize: number;
}

/** What came of reading a DATA block. */
export type DataResult =
  | { kind: "message"; bytes: Uint8Array }
  /** Read to the end and refused: reply with `error`; when `close` is set, close the connection too. */
  | { kind: "refused"; error: SmtpError; close: boolean }
  /** The peer closed the connection before the end of data: nothing may be stored. */
  | { kind: "vanished" };

const CRLF = new Uint8Array([13, 10]);

/**
 * Read a dot-terminated block after the server's 354 reply, un-stuffing dots.
 *
 * The message is kept only when every line ended with CRLF, no line held a bare CR or a
 * NUL, no line was longer than the reader's cap, and the total stayed under `maxSize`.
 * Otherwise the rest of the block is read and thrown away, and the result says which
 * reply the RFC prescribes (552 for size, 554 for bad content).
 *
 * @throws {IdleTimeoutError} the client stalled (from the line reader).
 *
 * @example
 * ```ts
 * import { LineReader } from "../net/mod.ts";
 * import { readDataBlock } from "./data.ts";
 * const bytes = new TextEncoder().encode("Subject: hi\r\n\r\n..dot\r\n.\r\n");
 * let sent = false;
 * const reader = new LineReader({ read: (b) => {
 *   if (sent) return Promise.resolve(null);
 *   b.set(bytes); sent = true; return Promise.resolve(bytes.length);
 * } });
 * const result = await readDataBlock(reader, { maxSize: 1000 });
 * if (result.kind !== "message") throw new Error(result.kind);
 * if (new TextDecoder().decode(result.bytes) !== "Subject: hi\r\n\r\n.dot\r\n") throw new Error();
 * ```
 */
export async function readDataBlock(reader: LineReader, limits: DataLimits): Promise<DataResult> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let error: SmtpError | undefined;
  let previousCrlf = true; // the DATA command line ended the previous line
  let lineNumber = 0;
  while (true) {
    let line;
    try {
      line = await reader.readLine();
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      // RFC 5321 4.5.3.1.6: a text line is at most 1000 octets with its CRLF.
      error ??= new SmtpError(
        552,
        "5.3.4",
        `Message line ${lineNumber + 1} too long (${e.length} bytes)`,
      );
      lineNumber++;
      previousCrlf = true;
      continue;
    }
    if (line === null) return { kind: "vanished" };
    lineNumber++;
    const crlf = line.ending === "CRLF";
    const bytes = line.bytes;
    if (bytes.length === 1 && bytes[0] === 0x2e) { // a lone "."
      if (crlf && previousCrlf) break; // CRLF "." CRLF: the one true end of data
      // LF "." LF and friends: the sender may believe the message ended here.
      return {
        kind: "refused",
        error: new SmtpError(
          554,
          "5.6.11",
          `Bare LF next to "." on line ${lineNumber}: closing (SMTP smuggling guard)`,
        ),
        close: true,
      };
    }
    previousCrlf = crlf;
    if (!crlf) {
      error ??= new SmtpError(
        554,
        "5.6.11",
        `Bare LF on line ${lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
      );
    } else if (bytes.includes(13)) {
      error ??= new SmtpError(
        554,
        "5.6.11",
        `Bare CR on line ${lineNumber}: lines must end with CRLF (RFC 5321 2.3.8)`,
      );
    } else if (bytes.includes(0)) {
      error ??= new SmtpError(
        554,
        "5.6.0",
        `NUL byte on line ${lineNumber} (RFC 5322 2.1 forbids it)`,
      );
    }
    if (error) continue; // read on to the end, keep nothing
    const body = bytes[0] === 0x2e ? bytes.subarray(1) : bytes; // un-stuff one dot
    size += body.length + 2;
    if (size > limits.maxSize) {
      error = new SmtpError(
        552,
        "5.3.4",
        `Message exceeds the fixed maximum size of ${limits.maxSize} bytes`,
      );
      chunks.length = 0;
      continue;
    }
    chunks.push(body, CRLF);
  }
  if (error) return { kind: "refused", error, close: false };
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return { kind: "message", bytes: out };
}

/**
 * Encode a message for DATA: line endings made CRLF (a lone LF or CR becomes CRLF, as
 * Go's textproto.DotWriter does), a dot doubled at the start of each line, a final CRLF
 * added when missing, and the end marker "." CRLF appended.
 *
 * @example
 * ```ts
 * import { encodeDataBlock } from "./data.ts";
 * const out = new TextDecoder().decode(encodeDataBlock(new TextEncoder().encode(".hidden\nend")));
 * if (out !== "..hidden\r\nend\r\n.\r\n") throw new Error(JSON.stringify(out));
 * ```
 */
export function encodeDataBlock(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length * 2 + 5);
  let at = 0;
  let lineStart = true;
  for (let i = 0; i < message.length; i++) {
    const byte = message[i];
    if (byte === 13 || byte === 10) {
      if (byte === 13 && message[i + 1] === 10) i++; // CRLF counts once
      out[at++] = 13;
      out[at++] = 10;
      lineStart = true;
      continue;
    }
    if (lineStart && byte === 0x2e) out[at++] = 0x2e;
    out[at++] = byte;
    lineStart = false;
  }
  if (!lineStart) {
    out[at++] = 13;
    out[at++] = 10;
  }
  out.set([0x2e, 13, 10], at);
  return out.subarray(0, at + 3);
}
