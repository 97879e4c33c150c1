/**
 * Hidden checks for the closing state machine: generated event sequences, judged by
 * lib/tcp's table.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { fc } from "../../lib/grading/property.ts";
import { nextState } from "../../lib/tcp/mod.ts";

type Impl = typeof import("../../exercises/02_tcp/drive_state.ts");
type ClosingState = Parameters<Impl["closingNextState"]>[0];
type ClosingEvent = Parameters<Impl["closingNextState"]>[1];

const EVENTS: ClosingEvent[] = ["close", "rcv-fin", "rcv-ack-of-fin", "timeout-2msl"];

function reference(state: ClosingState, event: ClosingEvent): string | null {
  try {
    const to = nextState(state, event);
    if (to === state && !(state === "TIME-WAIT" && event === "rcv-fin")) return null;
    return to;
  } catch {
    return null;
  }
}

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "closingNextState() drives 300 generated event sequences like RFC 9293",
    points: 2,
    hint:
      "Follow each sequence from ESTABLISHED on paper with Figure 5; every allowed event has exactly one arrow.",
    timeoutMs: 20_000,
    run: (impl) => {
      const sequences = fc.sample(fc.array(fc.constantFrom(...EVENTS), { maxLength: 8 }), {
        numRuns: 300,
        seed: 11,
      });
      for (const events of sequences) {
        let state: string = "ESTABLISHED";
        const path = [state];
        for (const event of events) {
          const want = reference(state as ClosingState, event);
          if (want === null || state === "CLOSED") break; // no arrow: covered by the visible checks
          const got = impl.closingNextState(state as ClosingState, event);
          assert.equal(got, want, `from ${path.join(" → ")}, on ${event}`);
          state = got;
          path.push(`${event} → ${state}`);
        }
      }
    },
  },
];
