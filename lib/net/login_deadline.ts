/**
 * How long a mail server waits for a client that has not logged in yet.
 *
 * The RFCs' long idle timeouts (SMTP 5 minutes, RFC 5321 4.5.3.2.7; POP3 10, RFC 1939 3;
 * IMAP 30, RFC 9051 5.4) are there so that a person's mail program is not cut off while
 * they read. A connection that has not logged in has no such reader: left at 30 minutes,
 * a few hundred silent connections hold every slot of a server. RFC 9051 5.4 says as much:
 * its 30-minute minimum is for a timer "that applies to sessions after authentication",
 * and the RFC "doesn't have any restrictions on an autologout timer used before
 * successful client authentication". So a connection gets
 * `loginTimeoutMs` in all from its greeting to log in (Dovecot: 3 minutes,
 * CLIENT_LOGIN_TIMEOUT_MSECS), and each read at most the usual idle timeout; after login,
 * only the idle timeout.
 *
 * @module
 */

/** Options for {@linkcode LoginDeadline}. */
export interface LoginDeadlineOptions {
  /** The idle timeout of a logged-in session, ms (the RFC's). */
  idleTimeoutMs: number;
  /** Time from the greeting to log in, ms. */
  loginTimeoutMs: number;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * One connection's read deadline: pass {@linkcode LoginDeadline.timeoutMs} as a
 * `LineReader`'s `idleTimeoutMs`, call {@linkcode LoginDeadline.loggedIn} on login.
 *
 * @example Before login the login deadline is the limit
 * ```ts
 * import { LoginDeadline } from "./login_deadline.ts";
 * let now = 0;
 * const deadline = new LoginDeadline({ idleTimeoutMs: 600_000, loginTimeoutMs: 180_000, now: () => now });
 * now = 60_000;
 * if (deadline.timeoutMs() !== 120_000) throw new Error("two minutes are left to log in");
 * deadline.loggedIn();
 * if (deadline.timeoutMs() !== 600_000) throw new Error("then the idle timeout");
 * ```
 */
export class LoginDeadline {
  readonly #idleTimeoutMs: number;
  readonly #deadline: number;
  readonly #now: () => number;
  #loggedIn = false;
  #lastWasLogin = false;

  constructor(options: LoginDeadlineOptions) {
    this.#now = options.now ?? Date.now;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#deadline = this.#now() + options.loginTimeoutMs;
  }

  /** The time the next read may wait, ms. A function property, to hand over as it is. */
  readonly timeoutMs = (): number => {
    if (this.#loggedIn) return this.#idleTimeoutMs;
    const left = Math.max(1, this.#deadline - this.#now());
    this.#lastWasLogin = left < this.#idleTimeoutMs;
    return Math.min(left, this.#idleTimeoutMs);
  };

  /** The client logged in (or, for SMTP, started a mail transaction): the RFC's timeout from now on. */
  loggedIn(): void {
    this.#loggedIn = true;
    this.#lastWasLogin = false;
  }

  /** Whether a read that timed out was stopped by the login deadline, not by silence alone. */
  get expired(): boolean {
    return this.#lastWasLogin;
  }
}
