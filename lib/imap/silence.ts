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
  readonly #tickMs: number;
  readonly #watched = new Set<Silence>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param timeoutMs silence allowed, ms.
   * @param shortestMs the shortest limit any connection may get (a login deadline);
   *   the clock ticks four times within it. Default `timeoutMs`.
   */
  constructor(timeoutMs: number, shortestMs = timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.#tickMs = Math.max(5, Math.min(5000, Math.min(timeoutMs, shortestMs) / 4));
  }

  /**
   * Watch one connection until `stop()`. `limit`, if given, is asked at each tick for
   * the time the connection may still wait (lib/net/login_deadline.ts gives less before
   * login); at 1 ms or less its wait ends too.
   */
  watch(limit?: () => number): Silence {
    const silence = new Silence(this, limit);
    this.#watched.add(silence);
    this.#timer ??= setInterval(() => this.#check(), this.#tickMs);
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
      if (now - silence.lastHeard >= this.timeoutMs || (silence.limit?.() ?? Infinity) <= 1) {
        silence.expire();
      }
    }
  }
}

/** One connection's silence: when the client was last heard, and the wait to end if too long. */
export class Silence {
  lastHeard = performance.now();
  readonly limit: (() => number) | undefined;
  readonly #clock: SilenceClock;
  #expire: (() => void) | null = null;

  constructor(clock: SilenceClock, limit?: () => number) {
    this.#clock = clock;
    this.limit = limit;
  }

  /** The client sent something. */
  heard(): void {
    this.lastHeard = performance.now();
  }

  /**
   * `work`'s result, or `timedOut` if the client stays silent for the timeout first.
   * A new wait (`fresh`) counts from now, as a timer started for it would; a wait that
   * goes on after a pause (IDLE after pushing an update) keeps counting from the client's
   * last byte. Each wait has its own promise, so nothing piles up on a long-lived one.
   * A wait disarms only itself when it ends: the next wait often begins before the
   * previous one's callbacks have run, and must keep its timeout. (A `.finally` per wait
   * that disarmed whatever wait was current broke that, and with it a flood of 200,000
   * empty lines grew the server by about 100 MiB instead of 13: tests/imap_memory_budget_test.ts.)
   */
  race<T>(work: Promise<T>, timedOut: T, fresh = true): Promise<T> {
    if (fresh) this.heard();
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const expire = () => resolve(timedOut);
    this.#expire = expire;
    const settle = () => {
      if (this.#expire === expire) this.#expire = null;
    };
    work.then((value) => {
      settle();
      resolve(value);
    }, (error) => {
      settle();
      reject(error);
    });
    return promise;
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
