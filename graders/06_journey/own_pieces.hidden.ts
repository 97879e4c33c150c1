/**
 * Hidden check for chapter 6: the learner's pieces across the real MTA. Postfix is b.test's
 * gateway where it can run here (root and the postfix package); the course's relay
 * otherwise, as in the notebook.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { journeyWith } from "./own_pieces.grader.ts";

type Impl = typeof import("../../exercises/06_journey/own_pieces.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "your pieces carry a generated letter through Postfix where it runs",
    points: 2,
    hint: "Your SMTP client talks to Postfix here: read every line of its multi-line replies.",
    timeoutMs: 40_000,
    run: async (impl) => {
      const run = await journeyWith(impl, 9601, { gateway: "auto" });
      assert.ok(run.landing.bytes.length > 0);
    },
  },
];
