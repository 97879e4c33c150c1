/**
 * Hidden checks for the SMTP command rules: generated sessions, judged by the reference
 * table.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { fc } from "../../lib/grading/property.ts";
import { nextState } from "../../solutions/03_smtp/command_rules.ts";

type Impl = typeof import("../../exercises/03_smtp/command_rules.ts");
type SmtpState = Parameters<Impl["nextState"]>[0];

const VERBS = [
  "EHLO",
  "HELO",
  "MAIL",
  "RCPT",
  "DATA",
  "RSET",
  "NOOP",
  "VRFY",
  "QUIT",
  "HELLO",
  "STARTTLS",
  "BDAT",
];
const verb = fc.tuple(fc.constantFrom(...VERBS), fc.constantFrom("upper", "lower", "mixed")).map(
  ([v, how]) =>
    how === "upper" ? v : how === "lower" ? v.toLowerCase() : v[0] + v.slice(1).toLowerCase(),
);

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "nextState() follows 300 generated sessions like the reference table",
    points: 2,
    hint:
      "Check each row of the table once more: where each verb is allowed, its code and the state after it.",
    timeoutMs: 20_000,
    run: (impl) => {
      for (const verbs of fc.sample(fc.array(verb, { maxLength: 10 }), { numRuns: 300, seed: 3 })) {
        let state: SmtpState = "start";
        const said: string[] = [];
        for (const v of verbs) {
          const want = nextState(state, v);
          const got = impl.nextState(state, v);
          said.push(v);
          assert.deepEqual(got, want, `after ${said.join(", ")}`);
          state = want.state;
          if (state === "closed") break;
        }
      }
    },
  },
];
