/**
 * Grader for the POP3 session state machine: scripted sessions, checked reply by reply.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";

type Impl = typeof import("../../exercises/04_pop3/session_state.ts");
type Session = ReturnType<Impl["newSession"]>;

const PASSWORD = "secret";
const SIZES = [100, 20, 3];

/** Feed lines to a fresh session; return every result. */
function play(impl: Impl, lines: string[], sizes = SIZES) {
  let session: Session = impl.newSession(sizes);
  const results = [];
  for (const line of lines) {
    const result = impl.handle(session, line, PASSWORD);
    assert.ok(
      /^(\+OK|-ERR)/.test(result.reply),
      `the reply to ${JSON.stringify(line)} must start with +OK or -ERR, got ${
        JSON.stringify(result.reply)
      }`,
    );
    session = result.session;
    results.push(result);
  }
  return results;
}

const okay = (reply: string) => reply.startsWith("+OK");
const LOGIN = ["USER alice", `PASS ${PASSWORD}`];

export default defineExercise<Impl>({
  title: "The POP3 session state machine",
  hints: [
    "Write the table first: for each keyword, the states where it is allowed. Check it before doing anything else, and answer -ERR (with the session unchanged) when the state is wrong.",
    "DELE only adds the number to `deleted`. Never remove anything from `sizes`: message numbers must stay the same for the whole session, and RSET must be able to undo the mark.",
    "STAT counts sizes whose number (index + 1) is not in `deleted`. QUIT in TRANSACTION returns state UPDATE and removed = [...deleted] sorted; QUIT in AUTHORIZATION returns removed = [] and stays out of UPDATE.",
  ],
  checks: [
    {
      name: "USER and PASS with the right password enter TRANSACTION",
      points: 2,
      hint:
        "PASS compares with the password given to handle(); on success set state to TRANSACTION.",
      run: (impl) => {
        assert.equal(impl.newSession(SIZES).state, "AUTHORIZATION");
        const [user, pass] = play(impl, ["user alice", `pass ${PASSWORD}`]);
        assert.ok(okay(user.reply), "USER gets +OK");
        assert.ok(okay(pass.reply), "PASS with the right password gets +OK");
        assert.equal(pass.session.state, "TRANSACTION");
      },
    },
    {
      name: "a wrong password, or PASS before USER, gets -ERR and stays in AUTHORIZATION",
      points: 2,
      hint:
        "On a wrong password answer -ERR and forget the user name; PASS with no USER before it is -ERR too.",
      run: (impl) => {
        const [, wrong, again] = play(impl, ["USER alice", "PASS nope", `PASS ${PASSWORD}`]);
        assert.ok(!okay(wrong.reply), "a wrong password gets -ERR");
        assert.equal(wrong.session.state, "AUTHORIZATION");
        assert.ok(!okay(again.reply), "after a failed PASS the client must send USER again");
        const [early] = play(impl, [`PASS ${PASSWORD}`]);
        assert.ok(!okay(early.reply), "PASS before USER gets -ERR");
        assert.equal(early.session.state, "AUTHORIZATION");
      },
    },
    {
      name: "commands outside their state, and unknown commands, get -ERR",
      points: 2,
      hint:
        "STAT, LIST, DELE, RSET and NOOP only work in TRANSACTION; USER and PASS only in AUTHORIZATION.",
      run: (impl) => {
        for (const line of ["STAT", "DELE 1", "RSET", "LIST 1", "NOOP", "FOO"]) {
          const [r] = play(impl, [line]);
          assert.ok(!okay(r.reply), `${line} in AUTHORIZATION gets -ERR`);
          assert.equal(r.session.state, "AUTHORIZATION");
        }
        const results = play(impl, [...LOGIN, "USER bob", "XTND"]);
        assert.ok(!okay(results[2].reply), "USER in TRANSACTION gets -ERR");
        assert.ok(!okay(results[3].reply), "an unknown command gets -ERR");
        assert.equal(results[3].session.state, "TRANSACTION");
      },
    },
    {
      name: "STAT and LIST leave deleted messages out, and numbers do not shift",
      points: 3,
      hint: "Mark with DELE, do not remove: after DELE 1, LIST 2 still answers message 2's size.",
      run: (impl) => {
        const r = play(impl, [...LOGIN, "STAT", "DELE 1", "STAT", "LIST 2", "LIST 1"]);
        assert.equal(r[2].reply.split(" ").slice(0, 3).join(" "), "+OK 3 123");
        assert.equal(r[4].reply.split(" ").slice(0, 3).join(" "), "+OK 2 23");
        assert.equal(r[5].reply.split(" ").slice(0, 3).join(" "), "+OK 2 20");
        assert.ok(!okay(r[6].reply), "LIST of a deleted message gets -ERR");
      },
    },
    {
      name: "DELE refuses bad, out-of-range and already deleted numbers",
      points: 2,
      hint: "Check: digits only, 1 <= n <= number of messages, and not already in `deleted`.",
      run: (impl) => {
        for (const bad of ["DELE 0", "DELE 4", "DELE x", "DELE", "DELE -1"]) {
          const r = play(impl, [...LOGIN, bad]);
          assert.ok(!okay(r[2].reply), `${bad} gets -ERR`);
        }
        const r = play(impl, [...LOGIN, "DELE 2", "DELE 2"]);
        assert.ok(okay(r[2].reply));
        assert.ok(!okay(r[3].reply), "deleting a message twice gets -ERR");
      },
    },
    {
      name: "RSET unmarks every message",
      points: 1,
      hint: "RSET empties `deleted`.",
      run: (impl) => {
        const r = play(impl, [...LOGIN, "DELE 1", "DELE 3", "RSET", "STAT", "LIST 1"]);
        assert.equal(r[5].reply.split(" ").slice(0, 3).join(" "), "+OK 3 123");
        assert.ok(okay(r[6].reply));
      },
    },
    {
      name: "deletion waits for UPDATE: QUIT in TRANSACTION removes exactly the marked messages",
      points: 3,
      hint: "QUIT in TRANSACTION: state UPDATE, removed = the marked numbers in ascending order.",
      run: (impl) => {
        const r = play(impl, [...LOGIN, "DELE 3", "DELE 1", "NOOP", "QUIT"]);
        for (const step of r.slice(0, -1)) {
          assert.ok(
            step.removed === undefined || step.removed.length === 0,
            "nothing is removed before QUIT",
          );
        }
        const quit = r.at(-1)!;
        assert.ok(okay(quit.reply));
        assert.equal(quit.session.state, "UPDATE");
        assert.deepEqual(quit.removed, [1, 3]);
        const none = play(impl, [...LOGIN, "QUIT"]).at(-1)!;
        assert.deepEqual(none.removed, []);
      },
    },
    {
      name: "QUIT in AUTHORIZATION ends the session without UPDATE",
      points: 1,
      hint: "Before login there is no maildrop: answer +OK, removed = [], and do not enter UPDATE.",
      run: (impl) => {
        const [quit] = play(impl, ["QUIT"]);
        assert.ok(okay(quit.reply));
        assert.deepEqual(quit.removed, []);
        assert.notEqual(quit.session.state, "UPDATE");
      },
    },
  ],
});
