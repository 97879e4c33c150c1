/**
 * Grader for the command sequence rules. The expected answers come from the course
 * server's own session machine (lib/smtp/session.ts), driven with valid arguments and a
 * backend that accepts everyone: the library is the reference.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import {
  complete,
  initialState,
  PHASE,
  type SessionConfig,
  type SessionState,
  step,
} from "../../lib/smtp/mod.ts";

type Impl = typeof import("../../exercises/03_smtp/command_rules.ts");
type SmtpState = "start" | "greeted" | "mail" | "rcpt" | "closed";

const config: SessionConfig = {
  hostname: "mx.test",
  maxMessageSize: 1000,
  maxRecipients: 100,
  authMechanisms: [],
};
const SAMPLE: Record<string, string> = {
  EHLO: "EHLO pc.test",
  HELO: "HELO pc.test",
  MAIL: "MAIL FROM:<al@pc.test>",
  RCPT: "RCPT TO:<bob@mx.test>",
  DATA: "DATA",
  RSET: "RSET",
  NOOP: "NOOP",
  VRFY: "VRFY bob",
  QUIT: "QUIT",
  HELLO: "HELLO",
};
const VERBS = Object.keys(SAMPLE);
const STATES: SmtpState[] = ["start", "greeted", "mail", "rcpt"];

/** A library session state that corresponds to an exercise state. */
function sessionIn(state: SmtpState): SessionState {
  let s = initialState();
  const path = {
    start: [],
    greeted: ["EHLO"],
    mail: ["EHLO", "MAIL"],
    rcpt: ["EHLO", "MAIL", "RCPT"],
    closed: [],
  }[state];
  for (const verb of path) s = drive(s, verb).state;
  return s;
}

/** Feed one command to the library session, accepting every effect. */
function drive(s: SessionState, verb: string): { code: number; state: SessionState } {
  let result = step(config, s, SAMPLE[verb]);
  const code = result.replies[0]?.code;
  while (result.effect && result.effect.kind !== "close" && result.effect.kind !== "data") {
    result = complete(result.state, result.effect, null);
  }
  const first = result.replies[0]?.code ?? code;
  if (result.effect?.kind === "data") {
    return { code: first, state: complete(result.state, result.effect, null).state }; // the message went through
  }
  return { code: first, state: result.state };
}

function toExercise(s: SessionState): SmtpState {
  return {
    [PHASE.Connected]: "start",
    [PHASE.Ready]: "greeted",
    [PHASE.Mail]: "mail",
    [PHASE.Rcpt]: "rcpt",
    [PHASE.Closed]: "closed",
    [PHASE.Auth]: "greeted",
    [PHASE.Data]: "greeted",
  }[s.phase] as SmtpState;
}

function expected(state: SmtpState, verb: string) {
  const r = drive(sessionIn(state), verb);
  return { code: r.code, state: toExercise(r.state) };
}

function check(impl: Impl, state: SmtpState, verb: string, as = verb) {
  assert.deepEqual(
    impl.nextState(state, as),
    expected(state, verb),
    `nextState(${JSON.stringify(state)}, ${JSON.stringify(as)})`,
  );
}

export default defineExercise<Impl>({
  title: "The server's command sequence rules",
  hints: [
    "Write the table from the exercise text as data: verb -> { allowed states, code, next state }. Then nextState is a lookup and two ifs.",
    "Unknown verb: 500. Known verb in a state where it is not allowed: 503. In both cases the state does not change.",
    'Mind the special rows: DATA goes back to "greeted" (the transaction ends with the message); RSET goes to "greeted" unless nobody said hello yet; EHLO works in every open state.',
  ],
  checks: [
    {
      name: "nextState() follows a whole session: EHLO, MAIL, RCPT, RCPT, DATA, QUIT",
      points: 2,
      hint:
        "Walk the happy path first: start -> greeted -> mail -> rcpt -> rcpt -> greeted -> closed.",
      run: (impl) => {
        let state: SmtpState = "start";
        const codes: number[] = [];
        for (const verb of ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"]) {
          const r = impl.nextState(state, verb);
          codes.push(r.code);
          state = r.state;
        }
        assert.deepEqual(codes, [250, 250, 250, 250, 354, 221]);
        assert.equal(state, "closed");
      },
    },
    {
      name: "nextState() answers 503 to MAIL before EHLO, RCPT before MAIL, DATA before RCPT",
      points: 3,
      hint:
        "Each command needs the one before it: no MAIL without a greeting, no RCPT without MAIL, no DATA without a recipient.",
      run: (impl) => {
        check(impl, "start", "MAIL");
        check(impl, "greeted", "RCPT");
        check(impl, "mail", "DATA");
        check(impl, "mail", "MAIL");
      },
    },
    {
      name: "nextState() resets the transaction on RSET and EHLO but keeps the greeting",
      points: 2,
      hint: 'RSET after MAIL goes back to "greeted", not "start": the client said hello already.',
      run: (impl) => {
        for (const s of STATES) {
          check(impl, s, "RSET");
          check(impl, s, "EHLO");
        }
      },
    },
    {
      name: "nextState() answers 500 to an unknown verb and reads verbs in any case",
      points: 2,
      hint: "Upper-case the verb before the lookup.",
      run: (impl) => {
        check(impl, "greeted", "HELLO");
        check(impl, "greeted", "MAIL", "mail");
        check(impl, "rcpt", "DATA", "Data");
      },
    },
    {
      name: "nextState() agrees with the course server on every state and verb",
      points: 3,
      hint:
        "Compare your table with the one in the exercise text, row by row (VRFY is 252, QUIT is allowed anywhere open).",
      run: (impl) => {
        for (const s of STATES) for (const v of VERBS) check(impl, s, v);
      },
    },
    {
      name: 'nextState() refuses every command once "closed"',
      points: 1,
      hint: "After QUIT the connection is gone: throw.",
      run: (impl) => {
        assert.deepEqual(impl.nextState("rcpt", "QUIT"), { code: 221, state: "closed" });
        assert.throws(() => impl.nextState("closed", "NOOP"));
      },
    },
  ],
});
