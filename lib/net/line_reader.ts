/**
 * Bytes to lines, for text protocols (SMTP, POP3, IMAP).
 *
 * RFC 5321 4.1.1, RFC 1939 3 and RFC 3501 2.2 all end lines with CRLF and all cap their
 * length. This reader splits on LF, tells whether the CR was there (a bare LF matters:
 * SMTP smuggling hides in it), caps the line length without ever buffering more than the
 * cap, and gives up on a silent peer after an idle timeout.
 *
 * @module
 */

import { TimeoutError } from "./timeout.ts";

/** Anything we can read bytes from: a `Deno.Conn`, a file, a test double. */
export interface ByteSource {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** One line as it came off the wire. */
export interface Line {
  /** The line's bytes, without its ending. */
  bytes: Uint8Array;
  /** The bytes decoded as UTF-8 (invalid sequences become U+FFFD). */
  text: string;
  /** `"CRLF"` as the RFCs require, or `"LF"` when the CR was missing. */
  ending: "CRLF" | "LF";
}

/** Options for {@linkcode LineReader}. */
export interface LineReaderOptions {
  /** Longest line accepted, in bytes, not counting CRLF. Default 1000 (RFC 5321 4.5.3.1.4 counts 1000 with CRLF; we allow its 998 + slack). */
  maxLineLength?: number;
  /**
   * Give up when the peer sends nothing for this long, in ms. Default: wait forever. A
   * function is asked before each read, so a server can give a client less time before
   * it logs in than after (RFC 9051 5.4 allows a shorter timer before authentication).
   */
  idleTimeoutMs?: number | (() => number);
  /**
   * Bytes read from the source at most per read. Default 4096 (at least the line cap
   * plus CRLF). A bigger buffer means fewer reads for bulk data (SMTP DATA), at this
   * many bytes of memory per connection.
   */
  bufferSize?: number;
  /**
   * Start with a buffer of this many bytes and grow it (doubling) only when a line needs
   * more, up to the line cap. A server with a generous line cap (IMAP's 64 KiB) and many
   * idle connections keeps a few KiB per connection instead of the cap. Default: the
   * whole buffer at once.
   */
  initialBufferSize?: number;
}

/**
 * A line longer than the limit. The reader has already skipped the rest of that line,
 * so the protocol can answer (SMTP 500, POP3 -ERR, IMAP BAD) and read on.
 */
export class LineTooLongError extends Error {
  /** How many bytes the line had, ending excluded. */
  readonly length: number;
  constructor(length: number, limit: number) {
    super(`Line too long: ${length} bytes, the limit is ${limit}`);
    this.name = "LineTooLongError";
    this.length = length;
  }
}

/** The peer sent nothing for the idle timeout. The reader is unusable afterwards: close the connection. */
export class IdleTimeoutError extends TimeoutError {
  constructor(ms: number) {
    super("waiting for the peer to send", ms);
    this.name = "IdleTimeoutError";
  }
}

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder();

/**
 * A {@linkcode Line} that decodes its text only when asked: a DATA block's lines are
 * stored as bytes and never need it.
 */
class WireLine implements Line {
  #text: string | undefined;
  constructor(readonly bytes: Uint8Array, readonly ending: "CRLF" | "LF") {}
  get text(): string {
    return this.#text ??= decoder.decode(this.bytes);
  }
}

/**
 * Reads CRLF-terminated lines, and exact byte counts (IMAP literals), from a source.
 *
 * @example Read two lines
 * ```ts
 * import { LineReader } from "./line_reader.ts";
 * const bytes = new TextEncoder().encode("EHLO me\r\nQUIT\n");
 * let done = false;
 * const source = { read: (buf: Uint8Array) => {
 *   if (done) return Promise.resolve(null);
 *   buf.set(bytes); done = true; return Promise.resolve(bytes.length);
 * } };
 * const reader = new LineReader(source);
 * const first = await reader.readLine();
 * const second = await reader.readLine();
 * if (first?.text !== "EHLO me" || second?.ending !== "LF") throw new Error("unexpected");
 * ```
 */
export class LineReader {
  readonly #source: ByteSource;
  readonly #maxLineLength: number;
  readonly #idleTimeoutMs: number | (() => number) | undefined;
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;
  #eof = false;
  #broken = false;

  constructor(source: ByteSource, options: LineReaderOptions = {}) {
    this.#source = source;
    this.#maxLineLength = options.maxLineLength ?? 1000;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    const full = Math.max(options.bufferSize ?? 4096, this.#maxLineLength + 2);
    this.#buffer = new Uint8Array(Math.min(full, options.initialBufferSize ?? full));
  }

  /**
   * The next line, or `null` when the peer closed the connection. A partial line
   * without an ending at close is dropped: the peer vanished mid-line.
   *
   * @throws {LineTooLongError} the line exceeded the limit (and was skipped).
   * @throws {IdleTimeoutError} the peer stayed silent too long.
   */
  async readLine(): Promise<Line | null> {
    let skipped = 0; // bytes of an overlong line already thrown away
    while (true) {
      const lf = this.#start === this.#end
        ? -1 // nothing buffered (the usual case once a reply went out): read first
        : this.#buffer.subarray(this.#start, this.#end).indexOf(LF);
      if (lf >= 0) {
        const lineEnd = this.#start + lf;
        const hasCr = lf > 0 && this.#buffer[lineEnd - 1] === CR;
        const bytes = this.#buffer.slice(this.#start, hasCr ? lineEnd - 1 : lineEnd);
        this.#start = lineEnd + 1;
        const length = skipped + bytes.length;
        if (length > this.#maxLineLength) throw new LineTooLongError(length, this.#maxLineLength);
        return new WireLine(bytes, hasCr ? "CRLF" : "LF");
      }
      const pending = this.#end - this.#start;
      if (pending > this.#maxLineLength + 1) {
        // Too long already: forget it, keeping only the last byte (it may be the CR).
        skipped += pending - 1;
        this.#start = this.#end - 1;
      }
      if (!(await this.#fill())) return null;
    }
  }

  /**
   * Exactly `count` bytes (an IMAP literal, say). The caller bounds `count` before
   * calling: this allocates it.
   *
   * @returns the bytes, or `null` if the peer closed first.
   */
  async readBytes(count: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      if (this.#start === this.#end && !(await this.#fill())) return null;
      const take = Math.min(count - filled, this.#end - this.#start);
      out.set(this.#buffer.subarray(this.#start, this.#start + take), filled);
      this.#start += take;
      filled += take;
    }
    return out;
  }

  /** Longest line accepted, in bytes without the ending. */
  get maxLineLength(): number {
    return this.#maxLineLength;
  }

  /** Bytes already received but not yet returned (a pipelining client sends ahead). */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * The bytes received and not yet consumed, as a view into the reader's buffer (no
   * copy): valid until the next call that reads. Framing that scans bulk data itself
   * (SMTP's DATA block) uses this with {@linkcode LineReader.consume} and
   * {@linkcode LineReader.readMore} instead of taking one line at a time.
   */
  peek(): Uint8Array {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /** Mark the first `count` bytes of {@linkcode LineReader.peek} as used. */
  consume(count: number): void {
    if (count < 0 || count > this.#end - this.#start) {
      throw new RangeError(
        `Cannot consume ${count} bytes: ${this.#end - this.#start} are buffered`,
      );
    }
    this.#start += count;
  }

  /**
   * Read more bytes from the source after those already buffered, waiting at most the
   * idle timeout. Unconsumed bytes move to the front of the buffer; the buffer never
   * grows here, so the caller must consume (or give up on) a full buffer first.
   *
   * @returns false at end of stream.
   * @throws {RangeError} the buffer is full of unconsumed bytes.
   * @throws {IdleTimeoutError} the peer stayed silent too long.
   */
  async readMore(): Promise<boolean> {
    if (this.#start === 0 && this.#end === this.#buffer.length) {
      throw new RangeError("Cannot read more: the buffer is full of unconsumed bytes");
    }
    return await this.#fill();
  }

  /** Read more bytes into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    if (this.#broken) throw new Error("Cannot read: an earlier read timed out");
    if (this.#eof) return false;
    if (this.#start > 0) { // compact
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buffer.length) { // grow (only readBytes gets here with a full buffer)
      const bigger = new Uint8Array(this.#buffer.length * 2);
      bigger.set(this.#buffer);
      this.#buffer = bigger;
    }
    const n = await this.#read(this.#buffer.subarray(this.#end));
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#end += n;
    return true;
  }

  #read(into: Uint8Array): Promise<number | null> {
    if (this.#idleTimeoutMs === undefined) return this.#source.read(into);
    return this.#readOrTimeOut(into, this.#idleTimeoutMs);
  }

  async #readOrTimeOut(into: Uint8Array, timeoutMs: number | (() => number)) {
    const reading = this.#source.read(into);
    const ms = typeof timeoutMs === "function" ? timeoutMs() : timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<"idle">((resolve) => {
      timer = setTimeout(() => resolve("idle"), ms);
    });
    try {
      const result = await Promise.race([reading, idle]);
      if (result === "idle") {
        this.#broken = true;
        // The read is still pending; it fails once the caller closes the connection.
        reading.catch(() => {});
        throw new IdleTimeoutError(ms);
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}
