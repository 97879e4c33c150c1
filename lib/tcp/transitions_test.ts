import assert from "node:assert/strict";
import { InvalidEventError, nextState, rule, transitionList, TRANSITIONS } from "./transitions.ts";
import { TCP_STATES, type TcpState } from "./state.ts";

Deno.test("nextState() follows RFC 9293 Figure 5 for the handshake", () => {
  assert.equal(nextState("CLOSED", "active-open"), "SYN-SENT");
  assert.equal(nextState("CLOSED", "passive-open"), "LISTEN");
  assert.equal(nextState("LISTEN", "rcv-syn"), "SYN-RECEIVED");
  assert.equal(nextState("SYN-SENT", "rcv-syn-ack"), "ESTABLISHED");
  assert.equal(nextState("SYN-SENT", "rcv-syn"), "SYN-RECEIVED");
  assert.equal(nextState("SYN-RECEIVED", "rcv-ack-of-syn"), "ESTABLISHED");
});

Deno.test("nextState() follows both closers' paths", () => {
  const active: TcpState[] = ["ESTABLISHED"];
  for (const event of ["close", "rcv-ack-of-fin", "rcv-fin", "timeout-2msl"]) {
    active.push(nextState(active.at(-1)!, event));
  }
  assert.deepEqual(active, ["ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]);
  assert.equal(nextState("ESTABLISHED", "rcv-fin"), "CLOSE-WAIT");
  assert.equal(nextState("CLOSE-WAIT", "close"), "LAST-ACK");
  assert.equal(nextState("LAST-ACK", "rcv-ack-of-fin"), "CLOSED");
  assert.equal(nextState("FIN-WAIT-1", "rcv-fin"), "CLOSING");
  assert.equal(nextState("CLOSING", "rcv-ack-of-fin"), "TIME-WAIT");
});

Deno.test("nextState() returns a passive SYN-RECEIVED to LISTEN on RST", () => {
  assert.equal(nextState("SYN-RECEIVED", "rcv-rst"), "CLOSED");
  assert.equal(nextState("SYN-RECEIVED", "rcv-rst", { passive: true }), "LISTEN");
});

Deno.test("nextState() names the state and the event of an invalid event", () => {
  assert.throws(() => nextState("LISTEN", "rcv-fin"), (error: unknown) => {
    assert.ok(error instanceof InvalidEventError);
    assert.equal(error.state, "LISTEN");
    assert.equal(error.event, "rcv-fin");
    assert.match(error.message, /Invalid event rcv-fin in state LISTEN/);
    return true;
  });
  assert.throws(() => nextState("FIN-WAIT-2", "close"), /close in state FIN-WAIT-2/);
  assert.throws(() => nextState("TIME-WAIT", "send"), /send in state TIME-WAIT/);
  assert.throws(() => nextState("ESTABLISHED", "jump"), /jump in state ESTABLISHED/);
});

Deno.test("the table has a row set for every state, and every row leads to a state", () => {
  for (const state of TCP_STATES) assert.ok(TRANSITIONS[state], state);
  for (const t of transitionList()) assert.ok(TCP_STATES.includes(t.to), `${t.from} ${t.event}`);
  assert.equal(rule("ESTABLISHED", "abort").send, "RST");
  assert.equal(rule("LAST-ACK", "abort").send, undefined);
});

Deno.test("only the active closer reaches TIME-WAIT", () => {
  const into = transitionList().filter((t) => t.to === "TIME-WAIT" && t.from !== "TIME-WAIT");
  assert.deepEqual(into.map((t) => t.from).sort(), ["CLOSING", "FIN-WAIT-2"]);
});
