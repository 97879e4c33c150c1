/**
 * 32-bit sequence number arithmetic (RFC 9293 3.4, RFC 1982).
 *
 * Sequence numbers wrap: after 4294967295 comes 0. So "a is before b" cannot be `a < b`;
 * it is "the distance from a to b, taken mod 2^32, is less than half the space".
 *
 * @module
 */

const SPACE = 2 ** 32;

/**
 * `seq + n`, wrapped to 32 bits.
 *
 * @example
 * ```ts
 * import { seqAdd } from "./seq.ts";
 * if (seqAdd(0xffffffff, 2) !== 1) throw new Error("unexpected");
 * ```
 */
export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % SPACE) + SPACE) % SPACE;
}

/**
 * The signed distance `a - b`, in [-2^31, 2^31): positive when `a` comes after `b`.
 *
 * @example
 * ```ts
 * import { seqDiff } from "./seq.ts";
 * if (seqDiff(1, 0xffffffff) !== 2 || seqDiff(0xffffffff, 1) !== -2) throw new Error("unexpected");
 * ```
 */
export function seqDiff(a: number, b: number): number {
  const d = seqAdd(a, -b);
  return d >= 2 ** 31 ? d - SPACE : d;
}

/** `a` comes before `b` in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** `a` comes before `b` or is `b`. */
export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

/** `a` comes after `b`. */
export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** `a` comes after `b` or is `b`. */
export function seqGe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

/**
 * `seq` counted from the initial sequence number `isn`, as tcpdump and Wireshark print
 * "relative" numbers: the SYN is 0, the first data byte 1.
 *
 * @example
 * ```ts
 * import { seqRelative } from "./seq.ts";
 * if (seqRelative(5, 0xfffffffe) !== 7) throw new Error("unexpected");
 * ```
 */
export function seqRelative(seq: number, isn: number): number {
  return seqAdd(seq, -isn);
}
