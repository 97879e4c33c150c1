/**
 * Hidden checks for the POP3 session: generated command sequences, judged by the
 * reference session reply by reply.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { fc } from "../../lib/grading/property.ts";
import { handle, newSession } from "../../solutions/04_pop3/session_state.ts";

type Impl = typeof import("../../exercises/04_pop3/session_state.ts");

const PASSWORD = "Secret";
const COMMANDS = [
  "USER alice",
  "user alice",
  `PASS ${PASSWORD}`,
  "PASS secret",
  "PASS SECRET",
  "STAT",
  "LIST",
  "LIST 1",
  "LIST 3",
  "DELE 1",
  "DELE 2",
  "DELE 3",
  "DELE 4",
  "dele 2",
  "RSET",
  "NOOP",
  "QUIT",
  "CAPA",
];

/** What must agree: the status word, and the numbers of STAT and LIST answers. */
function essence(reply: string, line: string): string {
  const ok = reply.startsWith("+OK") ? "+OK" : "-ERR";
  return /^(STAT|LIST \d)/i.test(line) && ok === "+OK"
    ? reply.split(" ").slice(0, 3).join(" ")
    : ok;
}

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "handle() answers 300 generated sessions like the reference, reply by reply",
    points: 3,
    hint:
      "Walk a session by hand: the state decides what is allowed, the password must match exactly (letter case too), and QUIT reports the marks in ascending order.",
    timeoutMs: 20_000,
    run: (impl) => {
      const sequences = fc.sample(fc.array(fc.constantFrom(...COMMANDS), { maxLength: 12 }), {
        numRuns: 300,
        seed: 5,
      });
      for (const lines of [["USER alice", "PASS SECRET"], ...sequences]) {
        let mine = impl.newSession([100, 20, 3]);
        let theirs = newSession([100, 20, 3]);
        const said: string[] = [];
        for (const line of lines) {
          const got = impl.handle(mine, line, PASSWORD);
          const want = handle(theirs, line, PASSWORD);
          said.push(line);
          const where = `after ${said.map((l) => JSON.stringify(l)).join(", ")}`;
          assert.equal(essence(got.reply, line), essence(want.reply, line), `${where}: the reply`);
          assert.equal(got.session.state, want.session.state, `${where}: the state`);
          assert.deepEqual(got.removed ?? [], want.removed ?? [], `${where}: removed`);
          mine = got.session;
          theirs = want.session;
          if (want.session.state === "UPDATE" || /^quit$/i.test(line)) break;
        }
      }
    },
  },
];
