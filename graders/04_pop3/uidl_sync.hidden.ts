/**
 * Hidden checks for the UIDL sync: generated listing lines (valid and not) and listings,
 * judged by the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { parseUidlLine, planFetch } from "../../solutions/04_pop3/uidl_sync.ts";

type Impl = typeof import("../../exercises/04_pop3/uidl_sync.ts");

const uid = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]{1,12}$/),
  fc.constantFrom("é", "a b", "a\tb", "u".repeat(70), "u".repeat(71), "", "\x7f", "~!"),
);
const number = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map(String),
  fc.constantFrom("0", "01", "-1", "1.5", ""),
);
const lines = fc.tuple(number, fc.constantFrom(" ", "  ", "\t"), uid).map(([n, sep, u]) =>
  `${n}${sep}${u}`
);

const listing = fc.uniqueArray(fc.stringMatching(/^[\x21-\x7e]{1,6}$/), { maxLength: 8 }).chain((
  uids,
) =>
  fc.tuple(
    fc.shuffledSubarray(uids.map((u, i) => `${i + 1} ${u}`), {
      minLength: uids.length,
      maxLength: uids.length,
    }),
    fc.subarray(uids),
    fc.array(fc.stringMatching(/^[\x21-\x7e]{1,6}$/), { maxLength: 3 }),
  )
).map(([lines, known, extra]) => [lines, new Set([...known, ...extra])] as [string[], Set<string>]);

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "parseUidlLine() agrees with the reference on 300 generated lines, valid or not",
    points: 2,
    hint:
      "A number without leading zeros, exactly one space, then 1 to 70 characters from 0x21 to 0x7E, nothing else.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: lines.map((l) => [l] as [string]),
        learner: (l) => impl.parseUidlLine(l),
        reference: parseUidlLine,
        call: (l) => `parseUidlLine(${show(l)})`,
      }),
  },
  {
    name: "planFetch() agrees with the reference on 300 generated listings in any order",
    points: 2,
    hint:
      "The server may list messages in any order: return the numbers to fetch sorted ascending.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: listing,
        learner: (l, k) => impl.planFetch(l, k),
        reference: planFetch,
        call: (l, k) => `planFetch(${show(l, 200)}, new Set(${show([...k], 120)}))`,
        same: (got, want) =>
          JSON.stringify(got.fetch) === JSON.stringify(want.fetch) &&
          JSON.stringify([...got.gone].sort()) === JSON.stringify([...want.gone].sort()),
      }),
  },
];
