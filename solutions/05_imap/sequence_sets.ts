/**
 * Exercise: sequence-set arithmetic (RFC 3501 9 `sequence-set`, 6.4.8).
 *
 * FETCH 1:3,7 names messages by sequence number, UID FETCH 1:3,7 by UID; the syntax is
 * the same. "*" is the largest number in use; a range's ends may come in either order
 * ("5:2" is 2, 3, 4, 5); and a range "n:*" always includes the largest number, even when
 * n is larger (RFC 3501 6.4.8: "559:*" names the last message of a mailbox whose highest
 * UID is 42).
 *
 * Write `select(set, existing)`: the members of `existing` (ascending UIDs, or 1..n for
 * sequence numbers) that the set names, ascending, without duplicates. Throw an Error for
 * malformed sets ("", "0", "1:", "a", "1,,2").
 *
 * Write `compress(numbers)`: the shortest set naming exactly those numbers, runs written
 * as ranges, ascending: [7, 1, 2, 3] is "1:3,7".
 *
 * Check your work with `deno task grade 05_imap`.
 *
 * @module
 */

function bound(text: string, max: number, whole: string): number {
  if (text === "*") return max;
  if (!/^[1-9]\d*$/.test(text)) {
    throw new Error(`Bad sequence set ${JSON.stringify(whole)}: ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The members of `existing` named by `set`. */
export function select(set: string, existing: number[]): number[] {
  const max = existing.length ? existing[existing.length - 1] : 0;
  if (set === "") throw new Error("Bad sequence set: empty");
  const ranges = set.split(",").map((part) => {
    const ends = part.split(":");
    if (ends.length > 2) throw new Error(`Bad sequence set ${JSON.stringify(set)}`);
    const a = bound(ends[0], max, set);
    const b = ends.length === 2 ? bound(ends[1], max, set) : a;
    return [Math.min(a, b), Math.max(a, b)];
  });
  return existing.filter((n) => ranges.some(([lo, hi]) => n >= lo && n <= hi));
}

/** The compact set of `numbers`. */
export function compress(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
