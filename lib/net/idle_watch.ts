/**
 * An idle timeout for a server's connection with one timer, not one per read.
 *
 * `LineReader`'s `idleTimeoutMs` starts a timer before each read and clears it after:
 * simple, and right for a client's few reads. A busy server reads several times per
 * message, thousands of messages a second, and starting and clearing a timer costs more
 * than the rest of a read. This source wraps the connection instead: each read notes its
 * deadline, and one timer per connection, armed when a read needs it and re-armed only
 * when it fires early, fails the read that waited too long. Dispose of it (`using`) when
 * the connection ends, so that its timer does not outlive the connection. (The IMAP
 * server, with thousands of idle sessions, goes further: one timer per server,
 * lib/imap/silence.ts.)
 *
 * @module
 */

import { type ByteSource, IdleTimeoutError } from "./line_reader.ts";

/**
 * A {@linkcode ByteSource} whose reads fail with an {@linkcode IdleTimeoutError} when the
 * peer sends nothing for the timeout. Reads come one at a time (as a `LineReader` makes
 * them). Once a read timed out, every later read fails too: close the connection.
 *
 * @example A silent peer times out
 * ```ts
 * import { IdleTimeoutError, IdleWatch } from "./mod.ts";
 * const silent = { read: () => new Promise<number | null>(() => {}) };
 * using watched = new IdleWatch(silent, 10);
 * const failed = await watched.read(new Uint8Array(16)).catch((e) => e);
 * if (!(failed instanceof IdleTimeoutError)) throw new Error("expected a timeout");
 * ```
 */
export class IdleWatch implements ByteSource, Disposable {
  readonly #source: ByteSource;
  readonly #timeoutMs: number | (() => number);
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (`performance.now()` time). */
  #timerDue = Infinity;
  /** The waiting read's deadline and timeout, and how to fail it. */
  #waiting: { deadline: number; ms: number; fail: (error: Error) => void } | undefined;
  #expired = false;

  /**
   * @param timeoutMs how long one read may wait, ms; a function is asked before each read
   * (a `LoginDeadline`'s `timeoutMs`, say).
   */
  constructor(source: ByteSource, timeoutMs: number | (() => number)) {
    this.#source = source;
    this.#timeoutMs = timeoutMs;
  }

  /** Read from the source, failing with {@linkcode IdleTimeoutError} after the timeout. */
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#expired) return Promise.reject(new Error("Cannot read: an earlier read timed out"));
    const ms = typeof this.#timeoutMs === "function" ? this.#timeoutMs() : this.#timeoutMs;
    const deadline = performance.now() + ms;
    if (deadline < this.#timerDue) this.#arm(ms);
    return new Promise((resolve, reject) => {
      this.#waiting = { deadline, ms, fail: reject };
      // After a timeout the read is still pending; it settles, unheard, once the caller
      // closes the connection.
      this.#source.read(buffer).then((n) => {
        this.#waiting = undefined;
        resolve(n);
      }, (error) => {
        this.#waiting = undefined;
        reject(error);
      });
    });
  }

  /** Stop the timer: the connection is over. */
  [Symbol.dispose](): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  #arm(ms: number): void {
    clearTimeout(this.#timer);
    this.#timerDue = performance.now() + ms;
    this.#timer = setTimeout(() => this.#check(), ms);
  }

  /** The timer fired: fail the waiting read if its deadline passed, else wait on. */
  #check(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    const waiting = this.#waiting;
    if (!waiting) return; // no read waits: the next one arms the timer
    const left = waiting.deadline - performance.now();
    if (left > 0) return this.#arm(left);
    this.#expired = true;
    waiting.fail(new IdleTimeoutError(waiting.ms));
  }
}
