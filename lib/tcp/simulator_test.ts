import assert from "node:assert/strict";
import { TcpSimulator } from "./simulator.ts";
import { handshake, runScenario } from "./scenarios.ts";
import { describeSegment } from "./segment.ts";
import { step } from "./endpoint.ts";

const wire = (sim: TcpSimulator) =>
  sim.segments.map((s) =>
    `${s.from[0]} ${describeSegment(s)}${s.fate === "dropped" ? " (lost)" : ""}`
  );

Deno.test("handshake: SYN and SYN,ACK each use one sequence number; ack = next expected", () => {
  const sim = handshake(new TcpSimulator({ clientIsn: 1000, serverIsn: 5000 }));
  assert.deepEqual(wire(sim), [
    "c SYN seq=1000 len=0",
    "s SYN,ACK seq=5000 ack=1001 len=0",
    "c ACK seq=1001 ack=5001 len=0",
  ]);
  assert.equal(sim.state("client"), "ESTABLISHED");
  assert.equal(sim.state("server"), "ESTABLISHED");
});

Deno.test("four-segment close: only the active closer waits in TIME-WAIT", () => {
  const sim = runScenario("four-segment-close", { clientIsn: 100, serverIsn: 300 });
  assert.deepEqual(sim.path("client"), [
    "CLOSED",
    "SYN-SENT",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "TIME-WAIT",
    "CLOSED",
  ]);
  assert.deepEqual(sim.path("server"), [
    "CLOSED",
    "LISTEN",
    "SYN-RECEIVED",
    "ESTABLISHED",
    "CLOSE-WAIT",
    "LAST-ACK",
    "CLOSED",
  ]);
  assert.deepEqual(wire(sim).slice(-4), [
    "c FIN,ACK seq=113 ack=321 len=0",
    "s ACK seq=321 ack=114 len=0",
    "s FIN,ACK seq=321 ack=114 len=0",
    "c ACK seq=114 ack=322 len=0",
  ]);
});

Deno.test("three-segment close: the FIN rides with the ACK and the client passes FIN-WAIT-2", () => {
  const sim = runScenario("three-segment-close", { clientIsn: 100, serverIsn: 300 });
  assert.deepEqual(wire(sim).slice(-3), [
    "c FIN,ACK seq=113 ack=321 len=0",
    "s FIN,ACK seq=321 ack=114 len=0",
    "c ACK seq=114 ack=322 len=0",
  ]);
  assert.ok(sim.path("client").includes("FIN-WAIT-2"));
  assert.deepEqual(sim.segments.map((s) => s.index), sim.segments.map((_, i) => i));
});

Deno.test("server closes first: the server, not the client, holds TIME-WAIT", () => {
  const sim = runScenario("server-closes-first");
  assert.ok(sim.path("server").includes("TIME-WAIT"));
  assert.ok(!sim.path("client").includes("TIME-WAIT"));
  assert.ok(sim.path("client").includes("CLOSE-WAIT"));
});

Deno.test("half-close: data flows to the side that already sent its FIN", () => {
  const sim = runScenario("half-close", { clientIsn: 100, serverIsn: 300 });
  assert.equal(sim.endpoint("client").delivered, 150);
  const afterFin = sim.segments.slice(sim.segments.findIndex((s) => s.flags.fin) + 1)
    .filter((s) => s.from === "server" && s.payloadLength > 0);
  assert.deepEqual(afterFin.map((s) => s.payloadLength), [100, 50]);
  assert.equal(sim.state("client"), "CLOSED");
});

Deno.test("simultaneous open: both sides pass SYN-RECEIVED (RFC 9293 Figure 7)", () => {
  const sim = runScenario("simultaneous-open", { clientIsn: 100, serverIsn: 300 });
  for (const side of ["client", "server"] as const) {
    assert.deepEqual(sim.path(side), ["CLOSED", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED"]);
  }
  assert.deepEqual(wire(sim).slice(2), [
    "s SYN,ACK seq=300 ack=101 len=0",
    "c SYN,ACK seq=100 ack=301 len=0",
  ]);
});

Deno.test("simultaneous close: both sides pass CLOSING and both wait in TIME-WAIT", () => {
  const sim = runScenario("simultaneous-close");
  for (const side of ["client", "server"] as const) {
    assert.deepEqual(sim.path(side).slice(-4), ["FIN-WAIT-1", "CLOSING", "TIME-WAIT", "CLOSED"]);
  }
});

Deno.test("RST from either side closes both ends at once", () => {
  for (const name of ["client-reset", "server-reset"] as const) {
    const sim = runScenario(name);
    assert.equal(sim.state("client"), "CLOSED");
    assert.equal(sim.state("server"), "CLOSED");
    const last = sim.segments.at(-1)!;
    assert.equal(last.flags.rst, true);
    assert.equal(last.from, name === "client-reset" ? "client" : "server");
    assert.ok(!sim.path("client").includes("TIME-WAIT"));
  }
});

Deno.test("a lost final ACK is repaired from TIME-WAIT", () => {
  const sim = runScenario("lost-final-ack", { clientIsn: 100, serverIsn: 300 });
  assert.deepEqual(wire(sim).slice(-4), [
    "s FIN,ACK seq=321 ack=114 len=0",
    "c ACK seq=114 ack=322 len=0 (lost)",
    "s FIN,ACK seq=321 ack=114 len=0",
    "c ACK seq=114 ack=322 len=0",
  ]);
  assert.equal(sim.state("server"), "CLOSED");
  assert.ok(sim.transitions.some((t) => t.from === "TIME-WAIT" && t.event === "rcv-fin"));
});

Deno.test("sequence numbers wrap around 2^32", () => {
  const sim = new TcpSimulator({ clientIsn: 0xffff_fffa, serverIsn: 0xffff_ffff });
  handshake(sim);
  sim.call("client", { send: 10 });
  sim.deliverAll();
  sim.call("client", "close");
  sim.deliverAll();
  sim.call("server", "close");
  sim.deliverAll();
  assert.deepEqual(wire(sim), [
    "c SYN seq=4294967290 len=0",
    "s SYN,ACK seq=4294967295 ack=4294967291 len=0",
    "c ACK seq=4294967291 ack=0 len=0",
    "c ACK,PSH seq=4294967291 ack=0 len=10",
    "s ACK seq=0 ack=5 len=0",
    "c FIN,ACK seq=5 ack=0 len=0",
    "s ACK seq=0 ack=6 len=0",
    "s FIN,ACK seq=0 ack=6 len=0",
    "c ACK seq=6 ack=1 len=0",
  ]);
  assert.equal(sim.state("client"), "TIME-WAIT");
});

Deno.test("random ISNs differ between runs", () => {
  const isns = new Set(
    Array.from({ length: 5 }, () => handshake(new TcpSimulator()).segments[0].seq),
  );
  assert.ok(isns.size > 1);
});

Deno.test("invalid events name the state and the event", () => {
  const sim = handshake(new TcpSimulator());
  assert.throws(() => sim.call("client", "passive-open"), /passive-open in state ESTABLISHED/);
  assert.throws(() => sim.call("client", "timeout-2msl"), /timeout-2msl in state ESTABLISHED/);
  sim.call("client", "close");
  sim.deliverAll();
  assert.throws(() => sim.call("client", { send: 5 }), /send in state FIN-WAIT-2/);
  assert.throws(() => sim.call("client", "close"), /close in state FIN-WAIT-2/);
  const server = sim.endpoint("server");
  const syn = { from: "client", to: "server", seq: server.rcvNxt!, ack: 0, payloadLength: 0 };
  const flags = { syn: true, ack: false, fin: false, rst: false };
  assert.throws(() => step(server, { segment: { ...syn, flags } }), /rcv-syn in state CLOSE-WAIT/);
});

Deno.test("a SYN to a closed port is answered with RST: connection refused", () => {
  const sim = new TcpSimulator({ clientIsn: 100 });
  sim.call("client", "active-open");
  const [rst] = sim.deliver();
  assert.equal(describeSegment(rst), "RST,ACK seq=0 ack=101 len=0");
  sim.deliver();
  assert.deepEqual(sim.path("client"), ["CLOSED", "SYN-SENT", "CLOSED"]);
});

Deno.test("the simulator refuses out-of-order delivery and empty queues with clear errors", () => {
  const sim = handshake(new TcpSimulator({ clientIsn: 1, serverIsn: 2 }));
  sim.call("client", { send: 5 });
  sim.call("client", { send: 5 });
  sim.drop();
  assert.throws(() => sim.deliver(), /seq 7 is ahead of the expected 2/);
  assert.throws(() => sim.deliver(), /no segment in flight/);
  assert.throws(() => sim.call("client", { send: 0 }), /Cannot send 0 bytes/);
});
