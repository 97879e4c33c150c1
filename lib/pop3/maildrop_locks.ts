/**
 * The maildrop lock: one session at a time per maildrop (RFC 1939 8).
 *
 * While a session is in the TRANSACTION state it holds its maildrop: a second login gets
 * `-ERR [IN-USE]` (RFC 2449 8.1.1) until the first session ends, so two clients never
 * delete from the same listing. The server asks through this interface, so that its
 * threads can share one set of locks (lib/pop3/threads.ts) as a single thread shares
 * {@linkcode InProcessLocks}.
 *
 * @module
 */

/** The locks a POP3 server takes at login and gives back when the session ends. */
export interface MaildropLocks {
  /** Take `user`'s lock: false when another session holds it (nothing is taken then). */
  acquire(user: string): boolean | Promise<boolean>;
  /** Give back a lock `acquire` gave. */
  release(user: string): void;
}

/**
 * The locks of a server on one thread: the set of users whose maildrop is open.
 *
 * @example
 * ```ts
 * import { InProcessLocks } from "./maildrop_locks.ts";
 * const locks = new InProcessLocks();
 * if (!locks.acquire("alice") || locks.acquire("alice")) throw new Error("unexpected");
 * locks.release("alice");
 * if (!locks.acquire("alice")) throw new Error("released");
 * ```
 */
export class InProcessLocks implements MaildropLocks {
  readonly #held = new Set<string>();

  acquire(user: string): boolean {
    if (this.#held.has(user)) return false;
    this.#held.add(user);
    return true;
  }

  release(user: string): void {
    this.#held.delete(user);
  }
}
