import assert from "node:assert/strict";
import { replayConnection, splitConnections } from "./replay.ts";
import { runScenario, type ScenarioName, SCENARIOS } from "./scenarios.ts";
import { TcpSimulator } from "./simulator.ts";
import { handshake } from "./scenarios.ts";
import { readPcap, tcpSegments } from "../packet/mod.ts";

Deno.test("replayConnection() infers the same paths the simulator took, for every scenario", () => {
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    // The replay assumes one side listened, and that a captured segment has arrived:
    // crossing SYNs or FINs look, at one capture point, like one side going first.
    if (name === "simultaneous-open" || name === "simultaneous-close") continue;
    const sim = runScenario(name, { clientIsn: 0xffff_fff0, serverIsn: 77 });
    const wire = sim.segments.filter((s) => s.fate === "delivered");
    const replay = replayConnection(wire);
    // The 2MSL timer is not on the wire: drop the final CLOSED that follows TIME-WAIT.
    const expected = (side: "client" | "server") => {
      const path = sim.path(side);
      return path.at(-2) === "TIME-WAIT" ? path.slice(0, -1) : path;
    };
    assert.deepEqual(replay.paths.client, expected("client"), name);
    assert.deepEqual(replay.paths.server, expected("server"), name);
    assert.deepEqual(replay.mismatches, [], name);
    assert.deepEqual(replay.problems, [], name);
  }
});

Deno.test("replayConnection() flags the notes' rule 'ack = the last received seq'", () => {
  const sim = handshake(new TcpSimulator({ clientIsn: 0, serverIsn: 0 }));
  const wire = sim.segments.map((s) => ({ ...s }));
  wire[1].ack = wire[0].seq; // SYN,ACK acking the SYN's own number
  const replay = replayConnection(wire);
  assert.equal(replay.mismatches.length, 0); // acking less is legal...
  assert.match(replay.checks[1].note ?? "", /1 numbers in flight not yet acknowledged/);
  wire[1].ack = 5; // ...acking the future is not
  const wrong = replayConnection(wire);
  assert.equal(wrong.mismatches[0].position, 1);
  assert.match(wrong.mismatches[0].note!, /never sent \(expected at most 1\)/);
});

Deno.test("replayConnection() reports a seq that forgets SYN consumes a number", () => {
  const sim = handshake(new TcpSimulator({ clientIsn: 100, serverIsn: 300 }));
  sim.call("client", { send: 10 });
  sim.deliverAll();
  const wire = sim.segments.map((s) => ({ ...s }));
  wire[2].seq = 100;
  wire[3].seq = 100;
  const replay = replayConnection(wire);
  assert.deepEqual(replay.mismatches.map((m) => m.position), [2, 3, 4]);
  assert.match(replay.mismatches[0].note!, /1 behind the next unused number 101/);
});

Deno.test("replayConnection() recognises a retransmission", () => {
  const sim = runScenario("lost-final-ack", { clientIsn: 1, serverIsn: 2 });
  const replay = replayConnection(sim.segments);
  assert.deepEqual(replay.mismatches, []);
  assert.ok(replay.checks.some((c) => /retransmission/.test(c.note ?? "")));
});

Deno.test("replayConnection() refuses mixed connections and empty input", () => {
  assert.throws(() => replayConnection([]), /no segments/);
  const a = runScenario("client-reset").segments;
  const b = runScenario("client-reset").segments.map((s) => ({
    ...s,
    from: s.from + "2",
    to: s.to + "2",
  }));
  assert.throws(() => replayConnection([...a, ...b]), /split the connections first/);
  assert.equal(splitConnections([...a, ...b]).length, 2);
});

Deno.test("replayConnection() reads the shipped lifecycle capture: half-close, client in TIME-WAIT", async () => {
  const url = new URL("../../fixtures/captures/tcp-lifecycle.pcap", import.meta.url);
  const segments = tcpSegments(readPcap(await Deno.readFile(url)));
  const [connection] = splitConnections(segments);
  const replay = replayConnection(connection);
  assert.deepEqual(replay.paths[replay.client], [
    "CLOSED",
    "SYN-SENT",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "TIME-WAIT",
  ]);
  assert.equal(replay.paths[replay.server].at(-1), "CLOSED");
  assert.deepEqual(replay.mismatches, []);
  assert.notEqual(replay.isn[replay.client], 0); // random, not 0 as the notes say
});
