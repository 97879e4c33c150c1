/**
 * One policy against password guessing, shared by the SMTP, POP3 and IMAP servers.
 *
 * A wrong password is answered only after a delay, and the delay grows with each
 * consecutive failure from the same client address, across connections, so that
 * reconnecting does not start over: 2 s, 4 s, 8 s, then 15 s for every further one. That
 * is Dovecot's auth penalty (AUTH_PENALTY_INIT_SECS 2, doubling up to
 * AUTH_PENALTY_MAX_SECS 15, per client address, kept by its anvil process). After 3
 * failures in one session the server says goodbye in its own protocol's words: SMTP
 * `421 4.7.0`, POP3 `-ERR [AUTH]` and close (RFC 3206 5), IMAP `NO [AUTHENTICATIONFAILED]`
 * (RFC 5530 3) with `BYE`. A success from an address clears its record.
 *
 * The delay must not become a way to hold the server's memory: the table of addresses
 * holds at most `maxAddresses` entries (the longest quiet goes first), and an address is
 * forgotten `forgetAfterMs` after its last failure (Dovecot's anvil forgets after an
 * hour). No timer keeps the table: it is pruned whenever it is touched. A delay never
 * outlives its server: it ends as soon as the server's closing signal fires.
 *
 * @module
 */

/** Options for {@linkcode AuthThrottle}; every field has a default in {@linkcode AUTH_THROTTLE}. */
export interface AuthThrottleOptions {
  /** Delay before answering the first failure from an address, ms. */
  firstDelayMs?: number;
  /** Largest delay, ms: each further failure doubles the delay up to this. */
  maxDelayMs?: number;
  /** Failures in one session before the server closes it. */
  maxFailuresPerSession?: number;
  /** An address's failures are forgotten this long after its last one, ms. */
  forgetAfterMs?: number;
  /** Most addresses remembered at once; the one quiet longest is forgotten first. */
  maxAddresses?: number;
  /** Called when a failure's answer starts waiting (tests and notebooks wait on it). */
  onDelay?: (address: string, ms: number) => void;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/** The defaults, each with its reason. */
export const AUTH_THROTTLE = {
  /** Dovecot's auth_failure_delay and AUTH_PENALTY_INIT_SECS: 2 s. */
  firstDelayMs: 2_000,
  /** Dovecot's AUTH_PENALTY_MAX_SECS: 15 s. */
  maxDelayMs: 15_000,
  /**
   * Three tries per connection, then goodbye: a typo or two is forgiven, a guessing
   * program has to reconnect (and keeps its growing delay).
   */
  maxFailuresPerSession: 3,
  /** Dovecot's anvil forgets a penalty after an hour (PENALTY_DEFAULT_EXPIRE_SECS). */
  forgetAfterMs: 60 * 60 * 1000,
  /** About a megabyte of memory at most, whatever the number of addresses guessing. */
  maxAddresses: 10_000,
} as const;

/** One line per setting for the README's limits table (tools/limits_table.ts). */
export const AUTH_THROTTLE_NOTES: Record<keyof typeof AUTH_THROTTLE, string> = {
  firstDelayMs:
    "wait before answering an address's first wrong password (Dovecot's auth_failure_delay)",
  maxDelayMs:
    "the wait doubles with each further failure from that address, across connections and servers, up to this (Dovecot's auth penalty)",
  maxFailuresPerSession:
    "wrong passwords per connection; the last gets SMTP `421 4.7.0`, POP3 `-ERR [AUTH]`, IMAP `* BYE` and `NO [AUTHENTICATIONFAILED]`, then the close",
  forgetAfterMs:
    "an address's failures are forgotten this long after its last one; a success forgets them at once",
  maxAddresses: "addresses remembered at once; the one quiet longest is dropped first",
};

interface AddressRecord {
  failures: number;
  last: number;
}

/**
 * The per-address record of failed logins, and the delay each failure earns.
 *
 * @example Failures from one address wait longer and longer
 * ```ts
 * import { AuthThrottle } from "./auth_throttle.ts";
 * const throttle = new AuthThrottle();
 * const delays = [1, 2, 3, 4, 5].map(() => throttle.recordFailure("192.0.2.7"));
 * if (delays.join() !== "2000,4000,8000,15000,15000") throw new Error(delays.join());
 * throttle.recordSuccess("192.0.2.7");
 * if (throttle.failuresOf("192.0.2.7") !== 0) throw new Error("a success clears the record");
 * ```
 */
export class AuthThrottle implements AuthLedger {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxFailuresPerSession: number;
  readonly forgetAfterMs: number;
  readonly maxAddresses: number;
  readonly #onDelay?: (address: string, ms: number) => void;
  readonly #now: () => number;
  /** Address to record, in order of last failure: the first entry is the quietest. */
  readonly #records = new Map<string, AddressRecord>();

  constructor(options: AuthThrottleOptions = {}) {
    this.firstDelayMs = options.firstDelayMs ?? AUTH_THROTTLE.firstDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? AUTH_THROTTLE.maxDelayMs;
    this.maxFailuresPerSession = options.maxFailuresPerSession ??
      AUTH_THROTTLE.maxFailuresPerSession;
    this.forgetAfterMs = options.forgetAfterMs ?? AUTH_THROTTLE.forgetAfterMs;
    this.maxAddresses = options.maxAddresses ?? AUTH_THROTTLE.maxAddresses;
    this.#onDelay = options.onDelay;
    this.#now = options.now ?? Date.now;
  }

  /** The delay earned by the `failures`-th consecutive failure (1, 2, ...). */
  delayFor(failures: number): number {
    if (failures < 1 || this.firstDelayMs <= 0) return 0;
    const doubled = this.firstDelayMs * 2 ** Math.min(failures - 1, 30);
    return Math.min(doubled, Math.max(this.maxDelayMs, this.firstDelayMs));
  }

  /**
   * Count a failure from `address`; returns the delay to wait before answering it (and
   * tells `onDelay` when there is one).
   */
  recordFailure(address: string): number {
    this.#prune();
    const failures = (this.#records.get(address)?.failures ?? 0) + 1;
    this.#records.delete(address); // re-inserted last: the map stays ordered by last failure
    this.#records.set(address, { failures, last: this.#now() });
    while (this.#records.size > this.maxAddresses) {
      this.#records.delete(this.#records.keys().next().value!);
    }
    const ms = this.delayFor(failures);
    if (ms > 0) this.#onDelay?.(address, ms);
    return ms;
  }

  /** A correct password from `address`: its earlier failures no longer count. */
  recordSuccess(address: string): void {
    this.#records.delete(address);
  }

  /** Consecutive failures remembered for `address`. */
  failuresOf(address: string): number {
    this.#prune();
    return this.#records.get(address)?.failures ?? 0;
  }

  /** Addresses remembered now. */
  get size(): number {
    this.#prune();
    return this.#records.size;
  }

  /**
   * The attempts of one connection: counts its failures against
   * {@linkcode AuthThrottle.maxFailuresPerSession} and waits out each delay, ending the
   * wait early when `closing` fires.
   */
  session(address: string, closing?: AbortSignal): AuthAttempts {
    return new AuthAttempts(this, address, closing);
  }

  /** Forget the records older than `forgetAfterMs` (they sit at the front of the map). */
  #prune(): void {
    const cutoff = this.#now() - this.forgetAfterMs;
    for (const [address, record] of this.#records) {
      if (record.last > cutoff) break;
      this.#records.delete(address);
    }
  }
}

/**
 * The server closed while a failure's answer was waiting: the session ends without one.
 * Servers do not report it (the error ends a handler while the server is closing).
 */
export class ServerClosingError extends Error {
  constructor() {
    super("Cannot answer: the server is closing");
    this.name = "ServerClosingError";
  }
}

/** What a failed attempt means for the session. */
export interface FailureVerdict {
  /** Failures in this session so far. */
  failures: number;
  /** The session has used up its tries: answer with the protocol's goodbye and close. */
  disconnect: boolean;
}

/**
 * What a session's attempts need from the throttle: {@linkcode AuthThrottle}, or a
 * stand-in on another thread that asks the one holding the records (lib/pop3/threads.ts),
 * so that failures count across every thread of a server.
 */
export interface AuthLedger {
  readonly maxFailuresPerSession: number;
  /** Count a failure; the delay it earned, in ms. */
  recordFailure(address: string): number | Promise<number>;
  recordSuccess(address: string): void;
}

/** One connection's login attempts under an {@linkcode AuthThrottle}. */
export class AuthAttempts {
  /** Failed attempts in this session. */
  failures = 0;
  readonly #throttle: AuthLedger;
  readonly #address: string;
  readonly #closing?: AbortSignal;

  constructor(throttle: AuthLedger, address: string, closing?: AbortSignal) {
    this.#throttle = throttle;
    this.#address = address;
    this.#closing = closing;
  }

  /**
   * A wrong password: record it, wait the delay it earned, and say whether the session
   * must end.
   *
   * @throws {ServerClosingError} the server closed during the wait: no answer is due.
   */
  async failed(): Promise<FailureVerdict> {
    this.failures++;
    const ms = await this.#throttle.recordFailure(this.#address);
    if (ms > 0) await sleep(ms, this.#closing);
    if (this.#closing?.aborted) throw new ServerClosingError();
    return {
      failures: this.failures,
      disconnect: this.failures >= this.#throttle.maxFailuresPerSession,
    };
  }

  /** The password was right. */
  succeeded(): void {
    this.#throttle.recordSuccess(this.#address);
  }
}

/** Wait `ms`, or less if `signal` fires; the timer never outlives the wait. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
