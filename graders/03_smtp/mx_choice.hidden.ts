/**
 * Hidden checks for choosing exchanges by MX: more generated cases, other seeds, and
 * mixed-case domains.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { seededRandom } from "../seeded_random.ts";
import { assertValidOrder, candidates, checkWalk, generateRecords } from "./mx_choice.grader.ts";

type Impl = typeof import("../../exercises/03_smtp/mx_choice.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "orderExchanges() holds on 1000 more generated cases, with and without self",
    points: 2,
    hint: "Check equal preferences, self at the lowest preference, and self listed twice.",
    run: (impl) => {
      const random = seededRandom(9301);
      for (let i = 0; i < 1000; i++) {
        const records = generateRecords(random, "B.Test");
        const self = random.chance(0.5) ? random.pick(records).exchange.toUpperCase() : undefined;
        if (self && random.chance(0.3)) {
          records.push({ preference: random.int(0, 70000), exchange: self.toLowerCase() });
        }
        assertValidOrder(
          impl.orderExchanges("B.Test", records, self),
          candidates("B.Test", records, self),
          `records ${JSON.stringify(records)}, self ${self}`,
        );
      }
    },
  },
  {
    name: "nextStep() holds on 500 more generated walks",
    points: 2,
    hint: "Every rule of the visible checks at once.",
    timeoutMs: 15_000,
    run: (impl) => {
      const random = seededRandom(9302);
      for (let i = 0; i < 500; i++) checkWalk(impl, random, random.chance(0.5));
    },
  },
];
