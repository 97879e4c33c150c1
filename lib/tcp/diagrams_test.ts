import assert from "node:assert/strict";
import { mimeBundle } from "../viz/mod.ts";
import {
  initialSequenceNumbers,
  segmentSequenceDiagram,
  simulationDiagram,
  simulationStateDiagram,
  tcpStateDiagram,
} from "./diagrams.ts";
import { runScenario } from "./scenarios.ts";

Deno.test("tcpStateDiagram() draws Figure 5's arrows and highlights visited states", () => {
  const d = tcpStateDiagram({ visited: ["CLOSED", "SYN-SENT", "SYN-SENT"] });
  assert.match(d.source, /^stateDiagram-v2/);
  assert.match(d.source, /ESTABLISHED --> FIN_WAIT_1: close \/ snd FIN/);
  assert.match(d.source, /FIN_WAIT_2 --> TIME_WAIT: rcv-fin \/ snd ACK/);
  assert.match(d.source, /class CLOSED,SYN_SENT visited/);
  assert.doesNotMatch(d.source, /abort/);
  assert.match(tcpStateDiagram({ detail: "all" }).source, /abort \/ snd RST/);
  assert.ok(mimeBundle(d)["text/vnd.mermaid"]);
});

Deno.test("segmentSequenceDiagram() prints flags, seq, ack and len, relative on request", () => {
  const sim = runScenario("four-segment-close", { clientIsn: 1000, serverIsn: 5000 });
  const absolute = segmentSequenceDiagram(sim.segments);
  assert.match(absolute.source, /p1->>p0: SYN,ACK seq=5000 ack=1001 len=0/);
  const relative = segmentSequenceDiagram(sim.segments, { relative: true });
  assert.match(relative.source, /p1->>p0: SYN,ACK seq=0 ack=1 len=0/);
  assert.deepEqual(initialSequenceNumbers(sim.segments), { client: 1000, server: 5000 });
});

Deno.test("simulationDiagram() notes state changes and crosses out lost segments", () => {
  const d = simulationDiagram(runScenario("lost-final-ack", { clientIsn: 1, serverIsn: 2 }));
  assert.match(d.source, /Note over p0: FIN-WAIT-2/);
  assert.match(d.source, /Note over p1: CLOSE-WAIT/);
  assert.match(d.source, /p0-xp1: ACK seq=\d+ ack=\d+ len=0 \(lost\)/);
  assert.match(d.plain, /\(lost\)/);
});

Deno.test("simulationStateDiagram() highlights the path of one side", () => {
  const sim = runScenario("simultaneous-close");
  assert.match(simulationStateDiagram(sim, "server").source, /class .*CLOSING.* visited/);
});

Deno.test("segmentSequenceDiagram() refuses segments between unknown participants", () => {
  const f = { syn: false, ack: true, fin: false, rst: false };
  const s = { from: "a", to: "b", seq: 1, ack: 1, flags: f, payloadLength: 0 };
  assert.throws(
    () => segmentSequenceDiagram([s], { participants: ["a", "c"] }),
    /Cannot draw segment 0/,
  );
});
