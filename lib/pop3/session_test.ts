import assert from "node:assert/strict";
import { STATE } from "./constants.ts";
import {
  afterLogin,
  afterUpdate,
  COMMANDS,
  type Effect,
  initialState,
  type SessionState,
  step,
} from "./session.ts";

const MESSAGES = [{ id: "m1", size: 100 }, { id: "m2", size: 20 }, { id: "m3", size: 3 }];

/** Fixture: a session in TRANSACTION with three messages. */
function transaction(): SessionState {
  const asked = step(step(initialState("<1@test>"), "USER alice").state, "PASS pw");
  return afterLogin(asked.state, asked.effect!, { ok: true, messages: MESSAGES }).state;
}

/** Feed lines; return the last result. */
function run(state: SessionState, ...lines: string[]) {
  let result = { state, replies: [] as ReturnType<typeof step>["replies"] } as ReturnType<
    typeof step
  >;
  for (const line of lines) result = step(result.state, line);
  return result;
}

const first = (r: ReturnType<typeof step>) => r.replies[0];

Deno.test("step() starts in AUTHORIZATION and PASS asks the transport to log in", () => {
  const s = initialState("<1@test>");
  assert.equal(s.state, STATE.Authorization);
  const r = run(s, "USER alice", "PASS two words");
  assert.deepEqual(r.effect, { kind: "login", user: "alice", password: "two words" });
  assert.deepEqual(r.replies, []);
});

Deno.test("step() refuses PASS before USER", () => {
  const r = run(initialState("<1@test>"), "PASS pw");
  assert.equal(first(r).ok, false);
  assert.match(first(r).text, /USER first/);
});

Deno.test("step() turns APOP into an effect carrying the greeting's timestamp", () => {
  const r = run(initialState("<9@x>"), "APOP bob C4C9334BAC560ECC979E58001B3E22FB");
  assert.deepEqual(r.effect, {
    kind: "apop",
    user: "bob",
    digest: "c4c9334bac560ecc979e58001b3e22fb",
    timestamp: "<9@x>",
  });
  assert.match(first(run(initialState("<9@x>"), "APOP bob xyz")).text, /32 hexadecimal/);
});

Deno.test("afterLogin() enters TRANSACTION with the maildrop listed", () => {
  const s = transaction();
  assert.equal(s.state, STATE.Transaction);
  assert.equal(s.mailbox, "alice");
  assert.equal(first(run(s, "STAT")).text, "3 123");
});

Deno.test("afterLogin() stays in AUTHORIZATION on failures, with response codes", () => {
  const asked = run(initialState("<1@t>"), "USER a", "PASS b");
  const effect = asked.effect as Effect;
  const locked = afterLogin(asked.state, effect, { ok: false, reason: "locked" });
  assert.equal(locked.state.state, STATE.Authorization);
  assert.equal(first(locked).code, "IN-USE");
  const wrong = afterLogin(asked.state, effect, { ok: false, reason: "credentials" });
  assert.equal(first(wrong).code, "AUTH");
  assert.equal(wrong.close, undefined);
  assert.equal(wrong.state.user, undefined, "USER must be sent again");
  assert.equal(
    first(afterLogin(asked.state, effect, { ok: false, reason: "unavailable" })).code,
    "SYS/TEMP",
  );
});

Deno.test("afterLogin() closes after too many failed logins", () => {
  let s = initialState("<1@t>");
  let closed = false;
  for (let i = 0; i < 3; i++) {
    const asked = run(s, "USER a", "PASS b");
    const r = afterLogin(asked.state, asked.effect!, { ok: false, reason: "credentials" }, {
      maxAuthFailures: 3,
    });
    s = r.state;
    closed = r.close === true;
    assert.equal(closed, i === 2);
  }
  assert.equal(s.authFailures, 3);
});

Deno.test("step() answers unknown and out-of-state commands with -ERR and stays put", () => {
  const s = initialState("<1@t>");
  for (
    const [line, pattern] of [
      ["STAT", /not allowed in the AUTHORIZATION state/],
      ["XYZZ", /Unknown command XYZZ/],
      ["", /empty/],
      ["RETRIEVE 1", /not a POP3 keyword/],
    ] as const
  ) {
    const r = step(s, line);
    assert.equal(r.state, s);
    assert.equal(first(r).ok, false);
    assert.match(first(r).text, pattern);
  }
  assert.match(first(step(transaction(), "USER bob")).text, /not allowed in the TRANSACTION state/);
});

Deno.test("step() checks argument counts against the table", () => {
  const s = transaction();
  assert.match(first(step(s, "RETR")).text, /usage is RETR msg/);
  assert.match(first(step(s, "TOP 1")).text, /usage is TOP msg n/);
  assert.match(first(step(s, "STAT 1")).text, /usage is STAT/);
});

Deno.test("step() checks message numbers: syntax, range, deleted", () => {
  const s = transaction();
  assert.match(first(step(s, "RETR x")).text, /positive integer/);
  assert.match(first(step(s, "RETR 0")).text, /No such message 0: the maildrop has 3/);
  assert.match(first(step(s, "LIST 4")).text, /No such message 4/);
  assert.match(first(step(s, "TOP 1 -1")).text, /non-negative integer/);
  const r = run(s, "DELE 2", "RETR 2");
  assert.match(first(r).text, /Message 2 is already deleted/);
  assert.match(first(run(s, "DELE 2", "DELE 2")).text, /already deleted/);
});

Deno.test("step() hides deleted messages from STAT, LIST and UIDL", () => {
  const s = run(transaction(), "DELE 1").state;
  assert.equal(first(step(s, "STAT")).text, "2 23");
  assert.deepEqual(first(step(s, "LIST")).lines, ["2 20", "3 3"]);
  assert.deepEqual(first(step(s, "UIDL")).lines, ["2 m2", "3 m3"]);
  assert.equal(first(step(s, "UIDL 3")).text, "3 m3");
  assert.equal(first(step(s, "LIST 2")).text, "2 20");
});

Deno.test("step() RSET unmarks every message", () => {
  const r = run(transaction(), "DELE 1", "DELE 3", "RSET", "STAT");
  assert.equal(first(r).text, "3 123");
});

Deno.test("step() RETR and TOP name the message for the transport", () => {
  const s = transaction();
  assert.deepEqual(first(step(s, "RETR 2")).message, { number: 2, id: "m2", size: 20 });
  assert.deepEqual(first(step(s, "TOP 3 0")).message, {
    number: 3,
    id: "m3",
    size: 3,
    bodyLines: 0,
  });
});

Deno.test("step() QUIT in TRANSACTION asks for UPDATE with the marked ids", () => {
  const r = run(transaction(), "DELE 3", "DELE 1", "QUIT");
  assert.equal(r.state.state, STATE.Update);
  assert.deepEqual(r.effect, { kind: "update", user: "alice", remove: ["m1", "m3"] });
  const done = afterUpdate(r.state, 0);
  assert.equal(done.close, true);
  assert.match(first(done).text, /1 messages left/);
  assert.match(first(afterUpdate(r.state, 1)).text, /Some deleted messages not removed/);
});

Deno.test("step() QUIT in AUTHORIZATION closes without UPDATE", () => {
  const r = step(initialState("<1@t>"), "QUIT");
  assert.equal(r.close, true);
  assert.equal(r.effect, undefined);
  assert.equal(first(r).ok, true);
});

Deno.test("COMMANDS lists every RFC 1939 command and CAPA in both states", () => {
  assert.deepEqual(
    Object.keys(COMMANDS).sort(),
    [
      "APOP",
      "CAPA",
      "DELE",
      "LIST",
      "NOOP",
      "PASS",
      "QUIT",
      "RETR",
      "RSET",
      "STAT",
      "TOP",
      "UIDL",
      "USER",
    ],
  );
  assert.ok(first(step(initialState("<1@t>"), "CAPA")).lines!.includes("UIDL"));
  assert.ok(first(step(transaction(), "capa")).lines!.includes("TOP"));
});
