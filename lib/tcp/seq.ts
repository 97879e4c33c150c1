/**
 * Sequence-number arithmetic, modulo 2^32.
 *
 * RFC 9293 3.4: "all arithmetic dealing with sequence numbers must be performed modulo
 * 2**32". A connection whose initial sequence number is near 4,294,967,295 wraps to 0
 * within a few bytes, so `a < b` on plain numbers is wrong; compare by the signed
 * distance instead (the same trick as Linux's `before()`/`after()`).
 *
 * @module
 */

/** 2^32: sequence numbers live in [0, SEQ_MODULUS). */
export const SEQ_MODULUS = 2 ** 32;

/**
 * `seq + n` modulo 2^32.
 *
 * @example Wrapping past the top
 * ```ts
 * import { seqAdd } from "./seq.ts";
 * if (seqAdd(4294967295, 1) !== 0) throw new Error("unexpected");
 * ```
 */
export function seqAdd(seq: number, n: number): number {
  return ((seq + n) % SEQ_MODULUS + SEQ_MODULUS) % SEQ_MODULUS;
}

/**
 * The signed distance from `b` to `a` (`a - b`), in [-2^31, 2^31).
 *
 * @example
 * ```ts
 * import { seqDiff } from "./seq.ts";
 * if (seqDiff(5, 4294967291) !== 10) throw new Error("unexpected");
 * ```
 */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `a` comes before `b` in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** `a` comes before `b` or equals it. */
export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

/**
 * Check that `value` is a valid 32-bit sequence number.
 *
 * @throws {RangeError} naming `what` when it is not an integer in [0, 2^32).
 */
export function assertSeq(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= SEQ_MODULUS) {
    throw new RangeError(`Invalid ${what}: ${value} is not an integer in [0, 2^32)`);
  }
  return value;
}

/**
 * A random initial sequence number. RFC 9293 3.4.1 and RFC 6528 ask for ISNs that an
 * off-path attacker cannot guess (real stacks hash the connection's addresses with a
 * secret and add a clock); for a model, a random 32-bit number shows the point.
 */
export function randomIsn(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
