/**
 * Hidden checks for sequence sets: generated sets ("*", backwards ranges, lists, junk)
 * and generated mailboxes, judged by the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { compress, select } from "../../solutions/05_imap/sequence_sets.ts";

type Impl = typeof import("../../exercises/05_imap/sequence_sets.ts");

const end = fc.oneof(fc.constant("*"), fc.integer({ min: 1, max: 60 }).map(String));
const part = fc.oneof(end, fc.tuple(end, end).map(([a, b]) => `${a}:${b}`));
const set = fc.oneof(
  { weight: 5, arbitrary: fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join(",")) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "0", "1:", ":2", "a", "1,,2", "1:2:3", "*:*", "01", " 1"),
  },
);
const existing = fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { maxLength: 12 }).map((n) =>
  n.sort((a, b) => a - b)
);

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "select() agrees with the reference on 300 generated sets and mailboxes",
    points: 2,
    hint:
      '"*" is the largest number in use (not infinity, not the largest number you see in the set); either end of a range may be the larger.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: fc.tuple(set, existing),
        learner: (s, e) => impl.select(s, e),
        reference: select,
        call: (s, e) => `select(${show(s)}, ${show(e)})`,
      }),
  },
  {
    name: "compress() agrees with the reference on 300 generated lists",
    points: 1,
    hint: "Sort numerically, drop duplicates, write each run of consecutive numbers as a:b.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 15 }).map((n) =>
          [n] as [number[]]
        ),
        learner: (n) => impl.compress(n),
        reference: compress,
        call: (n) => `compress(${show(n)})`,
      }),
  },
];
