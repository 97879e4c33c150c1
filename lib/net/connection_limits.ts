/**
 * How many connections a server takes at once, in all and from one client address.
 *
 * A server counts the connections it serves; over a limit it turns the next one away with
 * its protocol's "try again later" (SMTP 421, POP3 `-ERR [SYS/TEMP]`). One client address
 * has a limit of its own, so that one client cannot take every slot (Postfix's
 * `smtpd_client_connection_count_limit`). The count lives in one place: a server on
 * several threads keeps one {@linkcode ConnectionLimits} and its threads ask it
 * (lib/net/thread_calls.ts), so the limits hold for the server as a whole.
 *
 * @module
 */

/** Why a connection is turned away. */
export type Refusal =
  | { kind: "server"; limit: number }
  | { kind: "address"; address: string; limit: number };

/**
 * Admission of connections: {@linkcode ConnectionLimits}, or a stand-in that asks the
 * thread holding it (the answer is then a promise).
 */
export interface ConnectionGate {
  /** Take a slot for a connection from `address`, or say why not (no slot is taken). */
  admit(address: string): Refusal | null | Promise<Refusal | null>;
  /** Give back the slot of a connection `admit` let in. */
  release(address: string): void;
}

/**
 * The count of connections served, in all and per client address.
 *
 * @example The third connection is one too many
 * ```ts
 * import { ConnectionLimits } from "./connection_limits.ts";
 * const limits = new ConnectionLimits({ maxConnections: 2 });
 * limits.admit("127.0.0.1");
 * limits.admit("127.0.0.1");
 * if (limits.admit("127.0.0.1")?.kind !== "server") throw new Error("unexpected");
 * limits.release("127.0.0.1");
 * if (limits.admit("127.0.0.1") !== null) throw new Error("a slot was given back");
 * ```
 */
export class ConnectionLimits implements ConnectionGate {
  readonly maxConnections: number;
  readonly maxPerAddress: number;
  /** Connections being served (not refused) per client address. */
  readonly #perAddress = new Map<string, number>();
  #serving = 0;

  constructor(options: { maxConnections?: number; maxConnectionsPerAddress?: number } = {}) {
    this.maxConnections = options.maxConnections ?? 100;
    this.maxPerAddress = options.maxConnectionsPerAddress ?? Infinity;
  }

  /** Connections being served now. */
  get serving(): number {
    return this.#serving;
  }

  admit(address: string): Refusal | null {
    if (this.#serving >= this.maxConnections) {
      return { kind: "server", limit: this.maxConnections };
    }
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (fromAddress >= this.maxPerAddress) {
      return { kind: "address", address, limit: this.maxPerAddress };
    }
    this.#serving++;
    this.#perAddress.set(address, fromAddress + 1);
    return null;
  }

  release(address: string): void {
    const left = (this.#perAddress.get(address) ?? 0) - 1;
    if (left < 0) throw new Error(`No connection from ${address} to release`);
    this.#serving--;
    if (left === 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
  }
}
