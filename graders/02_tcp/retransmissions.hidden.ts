/**
 * Hidden checks for finding retransmissions and duplicate ACKs: more generated captures,
 * other seeds, several connections each.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { compare, generated } from "./retransmissions.grader.ts";

type Impl = typeof import("../../exercises/02_tcp/retransmissions.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "findRepeats() holds on 150 more generated captures, with and without losses",
    points: 2,
    hint: "Every rule at once, on captures with up to three interleaved connections.",
    timeoutMs: 15_000,
    run: (impl) => {
      for (const file of generated(9211, 75, true)) compare(impl, file);
      for (const file of generated(9212, 75, false)) compare(impl, file);
    },
  },
];
