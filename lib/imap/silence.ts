/**
 * Autologout (RFC 3501 5.4: "the server MAY ... autologout ... after at least 30
 * minutes of inactivity") for many connections on one timer.
 *
 * The obvious way, a `setTimeout` raced against every read, costs about 3 KiB of
 * JavaScript heap per waiting connection (the timer, the race's promises and their
 * closures), more than the rest of an idle session's state: a classroom of a thousand
 * IDLE sessions would hold megabytes only to know when to say goodbye. Here each
 * connection notes when it last heard from its client, and one timer per server, running
 * only while some connection waits, ends the waits that have been silent too long. A
 * wait ends between `timeoutMs` and `timeoutMs` plus a quarter of it (at most 5 s) after
 * the client's last byte.
 *
 * @module
 */

/** The clock of one server: {@linkcode SilenceClock.watch} one connection each. */
export class SilenceClock {
  readonly timeoutMs: number;
  readonly #watched = new Set<Silence>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Watch one connection until `stop()`. */
  watch(): Silence {
    const silence = new Silence(this);
    this.#watched.add(silence);
    if (!this.#timer) {
      const tick = Math.max(5, Math.min(5000, this.timeoutMs / 4));
      this.#timer = setInterval(() => this.#check(), tick);
    }
    return silence;
  }

  /** Stop watching (the connection ended); the timer stops with the last one. */
  forget(silence: Silence): void {
    this.#watched.delete(silence);
    if (!this.#watched.size) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #check(): void {
    const now = performance.now();
    for (const silence of this.#watched) {
      if (now - silence.lastHeard >= this.timeoutMs) silence.expire();
    }
  }
}

/** One connection's silence: when the client was last heard, and the wait to end if too long. */
export class Silence {
  lastHeard = performance.now();
  readonly #clock: SilenceClock;
  #expire: (() => void) | null = null;

  constructor(clock: SilenceClock) {
    this.#clock = clock;
  }

  /** The client sent something. */
  heard(): void {
    this.lastHeard = performance.now();
  }

  /**
   * `work`'s result, or `timedOut` if the client stays silent for the timeout first.
   * Each wait has its own promise, so nothing piles up on a long-lived one.
   */
  race<T>(work: Promise<T>, timedOut: T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#expire = () => resolve(timedOut);
      work.then(resolve, reject).finally(() => this.#expire = null);
    });
  }

  /** Called by the clock: end the current wait, if any. */
  expire(): void {
    const expire = this.#expire;
    this.#expire = null;
    expire?.();
  }

  /** The connection ended. */
  stop(): void {
    this.#expire = null;
    this.#clock.forget(this);
  }
}
