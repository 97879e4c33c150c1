/**
 * Grader for select() and compress(): sequence sets as IMAP servers read them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";

type Impl = typeof import("../../exercises/05_imap/sequence_sets.ts");

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

export default defineExercise<Impl>({
  title: "Sequence sets and UID arithmetic",
  hints: [
    'Split the set on "," into parts, and each part on ":" into one or two ends.',
    'Replace "*" by the largest number in `existing` before comparing, and put each range\'s ends in order with Math.min and Math.max.',
    "For compress(), sort numerically ((a, b) => a - b), remove duplicates with a Set, then walk the list extending a run while the next number is one more.",
  ],
  checks: [
    {
      name: "select() expands numbers, ranges and lists",
      points: 2,
      hint:
        "A part is a single number or a range a:b; keep the members of `existing` that fall in any part.",
      run(impl) {
        assert.deepEqual(impl.select("1:3,7", oneTo(10)), [1, 2, 3, 7]);
        assert.deepEqual(impl.select("2,4:5", [1, 2, 4, 9]), [2, 4]);
      },
    },
    {
      name: 'select() reads "*" as the largest number in use',
      points: 2,
      hint:
        '"*" is not infinity: it is the last of `existing`, and "n:*" includes it even when n is larger.',
      run(impl) {
        assert.deepEqual(impl.select("8:*", oneTo(10)), [8, 9, 10]);
        assert.deepEqual(impl.select("*", [3, 17, 42]), [42]);
        assert.deepEqual(impl.select("559:*", [3, 17, 42]), [42]);
        assert.deepEqual(impl.select("1:*", []), []);
      },
    },
    {
      name: 'select() accepts ranges written backwards ("5:2")',
      points: 1,
      hint: "RFC 3501 9: the two ends of a range may come in either order.",
      run(impl) {
        assert.deepEqual(impl.select("5:2", oneTo(6)), [2, 3, 4, 5]);
      },
    },
    {
      name: "select() returns each member once, ascending, and refuses malformed sets",
      points: 1,
      hint:
        "Filter `existing` rather than collecting numbers per part; throw for empty parts, 0, letters.",
      run(impl) {
        assert.deepEqual(impl.select("3,1:4,2", oneTo(5)), [1, 2, 3, 4]);
        for (const bad of ["", "0", "1:", "a", "1,,2"]) {
          assert.throws(
            () => impl.select(bad, oneTo(5)),
            Error,
            `select(${JSON.stringify(bad)}) should throw`,
          );
        }
      },
    },
    {
      name: "compress() writes runs as ranges, sorted numerically, without duplicates",
      points: 2,
      hint: "Sort with (a, b) => a - b (the default sort compares strings: 10 before 9).",
      run(impl) {
        assert.equal(impl.compress([7, 1, 2, 3, 3]), "1:3,7");
        assert.equal(impl.compress([10, 9, 11, 2]), "2,9:11");
        assert.equal(impl.compress([]), "");
      },
    },
  ],
});
