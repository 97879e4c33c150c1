/**
 * Sequence sets (RFC 3501 9 `sequence-set`): "1:3,7,10:*".
 *
 * The same syntax names messages by sequence number (FETCH 1:3) or by UID (UID FETCH
 * 1:3). `*` is the largest number in use; a range's ends may come in either order
 * ("5:2" is "2:5"); and RFC 3501 6.4.8 makes a UID range `n:*` include the last UID
 * even when n is larger than it.
 *
 * @module
 */

/** One range; `"*"` stands for the largest number in use. */
export interface SequenceRange {
  from: number | "*";
  to: number | "*";
}

/** A sequence set: ranges (single numbers are ranges of one). */
export type SequenceSet = SequenceRange[];

/** Text that is not a sequence set. */
export class SequenceSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SequenceSetError";
  }
}

function parseNumber(text: string, whole: string): number | "*" {
  if (text === "*") return "*";
  // RFC 3501 9: nz-number, 1 to 4294967295.
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > 0xffffffff) {
    throw new SequenceSetError(
      `Cannot parse sequence set ${JSON.stringify(whole)}: ${
        JSON.stringify(text)
      } is not a number from 1 to 4294967295 or "*"`,
    );
  }
  return Number(text);
}

/**
 * Parse a sequence set.
 *
 * @throws {SequenceSetError} e.g. "0", "1:", "a", "".
 *
 * @example
 * ```ts
 * import { parseSequenceSet } from "./sequence_set.ts";
 * const set = parseSequenceSet("1:3,7:*");
 * if (set.length !== 2 || set[1].to !== "*") throw new Error("unexpected");
 * ```
 */
export function parseSequenceSet(text: string): SequenceSet {
  if (text === "") throw new SequenceSetError("Cannot parse sequence set: it is empty");
  return text.split(",").map((part) => {
    const bounds = part.split(":");
    if (bounds.length > 2) {
      throw new SequenceSetError(
        `Cannot parse sequence set ${JSON.stringify(text)}: ${JSON.stringify(part)} has two ":"`,
      );
    }
    const from = parseNumber(bounds[0], text);
    return { from, to: bounds.length === 2 ? parseNumber(bounds[1], text) : from };
  });
}

/**
 * Does the set contain `n`, when the largest number in use is `max`?
 *
 * @example
 * ```ts
 * import { parseSequenceSet, setContains } from "./sequence_set.ts";
 * const set = parseSequenceSet("5:2,9:*");
 * if (!setContains(set, 3, 12) || setContains(set, 7, 12) || !setContains(set, 12, 12)) throw new Error("unexpected");
 * ```
 */
export function setContains(set: SequenceSet, n: number, max: number): boolean {
  for (const range of set) {
    const a = range.from === "*" ? max : range.from;
    const b = range.to === "*" ? max : range.to;
    if (n >= Math.min(a, b) && n <= Math.max(a, b)) return true;
  }
  return false;
}

/**
 * The members of `set` among `numbers` (ascending), where `*` is the largest of them.
 * For UIDs pass the mailbox's UIDs; for sequence numbers pass 1..n.
 */
export function selectFrom(set: SequenceSet, numbers: readonly number[]): number[] {
  const max = numbers.length ? numbers[numbers.length - 1] : 0;
  return numbers.filter((n) => setContains(set, n, max));
}

/**
 * Write numbers as a compact sequence set: [1,2,3,7] is "1:3,7" (used in COPYUID, SEARCH
 * results of ESEARCH-like summaries, and by the client).
 *
 * @example
 * ```ts
 * import { formatSequenceSet } from "./sequence_set.ts";
 * if (formatSequenceSet([7, 1, 2, 3, 3]) !== "1:3,7") throw new Error("unexpected");
 * ```
 */
export function formatSequenceSet(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
