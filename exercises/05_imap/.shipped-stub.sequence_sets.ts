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

import { todo } from "../../lib/grading/exercise.ts";

/** The members of `existing` named by `set`. */
export function select(set: string, existing: number[]): number[] {
  // TODO: split on "," then on ":"; "*" stands for the largest of `existing`.
  // TODO: a range may be written backwards ("5:2"); numbers are 1 or more; refuse junk.
  // TODO: keep the members of `existing` inside any range (they are already ascending).
  void set, existing;
  throw todo("select(): expand a sequence set against the numbers in use");
}

/** The compact set of `numbers`. */
export function compress(numbers: number[]): string {
  // TODO: sort, drop duplicates, write runs of consecutive numbers as "a:b".
  void numbers;
  throw todo("compress(): write numbers as a compact sequence set");
}
