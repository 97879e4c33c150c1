/**
 * Grader for the closing half of the state machine: the learner's next-state function
 * is compared with lib/tcp's table, and used to drive both sides of simulated
 * connections (every close variant) along the paths the simulator took.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { nextState, runScenario, type ScenarioName } from "../../lib/tcp/mod.ts";

type Impl = typeof import("../../exercises/02_tcp/drive_state.ts");
type ClosingState = Parameters<Impl["closingNextState"]>[0];
type ClosingEvent = Parameters<Impl["closingNextState"]>[1];

const STATES: ClosingState[] = [
  "ESTABLISHED",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "CLOSE-WAIT",
  "CLOSING",
  "LAST-ACK",
  "TIME-WAIT",
];
const EVENTS: ClosingEvent[] = ["close", "rcv-fin", "rcv-ack-of-fin", "timeout-2msl"];

/** Which pairs the exercise asks for (the table also has self-loops the stub does not mention). */
function allowed(state: ClosingState, event: ClosingEvent): boolean {
  try {
    const to = nextState(state, event);
    return to !== state || (state === "TIME-WAIT" && event === "rcv-fin");
  } catch {
    return false;
  }
}

/** Drive the learner's function along one side of a simulated scenario. */
function follow(impl: Impl, name: ScenarioName, side: "client" | "server") {
  const sim = runScenario(name, { clientIsn: 1000, serverIsn: 2000 });
  for (const t of sim.transitions.filter((t) => t.side === side)) {
    if (!STATES.includes(t.from as ClosingState) || !EVENTS.includes(t.event as ClosingEvent)) {
      continue;
    }
    const got = impl.closingNextState(t.from as ClosingState, t.event as ClosingEvent);
    assert.equal(got, t.to, `${name}, ${side}: ${t.from} on ${t.event}`);
  }
}

export default defineExercise<Impl>({
  title: "Drive the TCP state machine through the close",
  hints: [
    "Draw the two columns of RFC 9293 Figure 5's lower half: the side that calls close first (left) and the side that receives the FIN first (right).",
    "The active closer goes ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED; the passive one ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED. If both FINs cross, each side goes FIN-WAIT-1 → CLOSING → TIME-WAIT.",
    "Only states that sent the first FIN end in TIME-WAIT. LAST-ACK goes straight to CLOSED. And an event that has no arrow must throw an Error naming the state and the event.",
  ],
  checks: [
    {
      name:
        "closingNextState() follows the active closer: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSED",
      points: 2,
      hint: "After our FIN is acknowledged we wait for the peer's FIN in FIN-WAIT-2.",
      run: (impl) => {
        follow(impl, "four-segment-close", "client");
        follow(impl, "server-closes-first", "server");
      },
    },
    {
      name: "closingNextState() follows the passive closer: CLOSE-WAIT, LAST-ACK, CLOSED",
      points: 2,
      hint: "The side that receives the first FIN never waits in TIME-WAIT.",
      run: (impl) => {
        follow(impl, "four-segment-close", "server");
        follow(impl, "server-closes-first", "client");
      },
    },
    {
      name:
        "closingNextState() handles a FIN that carries the ACK of our FIN (three-segment teardown)",
      points: 1,
      hint: "RFC 9293 processes the ACK first, then the FIN: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT.",
      run: (impl) => follow(impl, "three-segment-close", "client"),
    },
    {
      name: "closingNextState() handles a simultaneous close through CLOSING",
      points: 2,
      hint: "In FIN-WAIT-1 the peer's FIN can arrive before the ACK of ours.",
      run: (impl) => {
        follow(impl, "simultaneous-close", "client");
        follow(impl, "simultaneous-close", "server");
      },
    },
    {
      name: "closingNextState() acks a repeated FIN in TIME-WAIT (the last ACK was lost)",
      points: 1,
      hint: "That is what TIME-WAIT is for: stay, and answer the retransmitted FIN.",
      run: (impl) => follow(impl, "lost-final-ack", "client"),
    },
    {
      name: "closingNextState() agrees with RFC 9293 on every state and event",
      points: 1,
      hint: "Compare your table with Figure 5 pair by pair.",
      run: (impl) => {
        for (const state of STATES) {
          for (const event of EVENTS) {
            if (!allowed(state, event)) continue;
            assert.equal(
              impl.closingNextState(state, event),
              nextState(state, event),
              `${state} on ${event}`,
            );
          }
        }
      },
    },
    {
      name: "closingNextState() refuses invalid events, naming the state and the event",
      points: 2,
      hint:
        "Throw new Error(`Invalid event ${event} in state ${state}`) for pairs without an arrow.",
      run: (impl) => {
        // A function that throws for everything would pass the rest of this check.
        assert.equal(impl.closingNextState("ESTABLISHED", "close"), "FIN-WAIT-1");
        for (const state of STATES) {
          for (const event of EVENTS) {
            if (allowed(state, event)) continue;
            if (state === "CLOSE-WAIT" || state === "CLOSING" || state === "LAST-ACK") {
              if (event === "rcv-fin") continue; // a repeated FIN: either answer is accepted
            }
            assert.throws(
              () => impl.closingNextState(state, event),
              (error: unknown) =>
                error instanceof Error && error.message.includes(state) &&
                error.message.includes(event),
              `${state} on ${event} should throw an Error naming both`,
            );
          }
        }
      },
    },
  ],
});
