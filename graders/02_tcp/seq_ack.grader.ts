/**
 * Grader for numbering a TCP trace: the simulator in lib/tcp is the judge. Each check
 * turns a simulated connection into a trace (who sent what flags and how many bytes),
 * asks the learner for the numbers, and compares them with what the simulated
 * endpoints really sent.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import {
  runScenario,
  type ScenarioName,
  type SegmentLike,
  TcpSimulator,
} from "../../lib/tcp/mod.ts";
import { handshake } from "../../lib/tcp/mod.ts";

type Impl = typeof import("../../exercises/02_tcp/seq_ack.ts");

/** The trace of a list of segments and the numbers they really carried. */
function traceOf(segments: readonly SegmentLike[]) {
  const steps = segments.map((s) => ({
    from: s.from as "client" | "server",
    syn: s.flags.syn,
    ack: s.flags.ack,
    fin: s.flags.fin,
    payloadLength: s.payloadLength,
  }));
  const expected = segments.map((s) => ({ seq: s.seq, ack: s.flags.ack ? s.ack : null }));
  return { steps, expected };
}

function compare(impl: Impl, sim: TcpSimulator) {
  const { client, server } = {
    client: sim.endpoint("client").iss,
    server: sim.endpoint("server").iss,
  };
  const { steps, expected } = traceOf(sim.segments);
  const got = impl.numberTrace(client, server, steps);
  assert.equal(got.length, expected.length, "one result per segment");
  expected.forEach((want, i) => {
    const s = steps[i];
    const what = `segment ${i} (${s.from}${s.syn ? " SYN" : ""}${s.fin ? " FIN" : ""}${
      s.ack ? " ACK" : ""
    }, len ${s.payloadLength}; ISNs client ${client}, server ${server})`;
    assert.equal(got[i].seq, want.seq, `${what}: seq`);
    assert.equal(got[i].ack, want.ack, `${what}: ack`);
  });
}

const scenario = (name: ScenarioName, clientIsn: number, serverIsn: number) =>
  runScenario(name, { clientIsn, serverIsn });

export default defineExercise<Impl>({
  title: "Number a TCP trace: seq and ack",
  hints: [
    "Keep one counter per side: the next sequence number that side has not used yet. It starts at the side's ISN.",
    "A segment's seq is its sender's counter; its ack is the other side's counter. Then the sender's counter moves on by the data length, plus one for SYN and one for FIN.",
    "Two traps: the notes' rule 'ack = the last seq received' is wrong (ack is the NEXT number expected), and the counters wrap: use % 2 ** 32.",
  ],
  checks: [
    {
      name: "numberTrace() numbers the three-way handshake from random ISNs",
      points: 2,
      hint:
        "The SYN carries seq = ISN; the SYN,ACK acknowledges ISN + 1, because the SYN used one number.",
      run: (impl) =>
        compare(impl, handshake(new TcpSimulator({ clientIsn: 2_000_000_001, serverIsn: 917 }))),
    },
    {
      name: "numberTrace() counts data bytes in seq and ack",
      points: 2,
      hint:
        "After sending n bytes, the sender's next seq is n higher, and the receiver acks that number.",
      run: (impl) => {
        const sim = handshake(new TcpSimulator({ clientIsn: 5000, serverIsn: 90000 }));
        for (const [side, n] of [["client", 17], ["server", 250], ["client", 3]] as const) {
          sim.call(side, { send: n });
          sim.deliverAll();
        }
        compare(impl, sim);
      },
    },
    {
      name: "numberTrace() counts the FIN as one number (four-segment teardown)",
      points: 2,
      hint: "The ACK of a FIN is the FIN's seq + 1, and the FIN's sender has used that number.",
      run: (impl) => compare(impl, scenario("four-segment-close", 123_456, 654_321)),
    },
    {
      name: "numberTrace() handles the three-segment teardown and half-close",
      points: 2,
      hint:
        "A FIN,ACK does both at once: it acknowledges the peer's FIN and uses one number of its own.",
      run: (impl) => {
        compare(impl, scenario("three-segment-close", 7, 3_000_000_000));
        // Half-close, each segment delivered before the next is sent.
        const sim = handshake(new TcpSimulator({ clientIsn: 42, serverIsn: 4242 }));
        const script = [["client", { send: 12 }], ["client", "close"], ["server", { send: 100 }], [
          "server",
          { send: 50 },
        ], ["server", "close"]] as const;
        for (const [side, call] of script) {
          sim.call(side, call);
          sim.deliverAll();
        }
        compare(impl, sim);
      },
    },
    {
      name: "numberTrace() counts both the data and the FIN of a FIN that carries data",
      points: 2,
      hint:
        "A segment with 5 data bytes and FIN uses 6 numbers: the peer's ack after it is seq + 6.",
      run: (impl) => {
        const step = (from: "client" | "server", flags: string, payloadLength = 0) => ({
          from,
          syn: flags.includes("S"),
          ack: flags.includes("A"),
          fin: flags.includes("F"),
          payloadLength,
        });
        const got = impl.numberTrace(100, 500, [
          step("client", "S"),
          step("server", "SA"),
          step("client", "A"),
          step("client", "FA", 5),
          step("server", "A"),
          step("server", "FA", 2),
          step("client", "A"),
        ]);
        assert.deepEqual(got, [
          { seq: 100, ack: null },
          { seq: 500, ack: 101 },
          { seq: 101, ack: 501 },
          { seq: 101, ack: 501 },
          { seq: 501, ack: 107 },
          { seq: 501, ack: 107 },
          { seq: 107, ack: 504 },
        ]);
      },
    },
    {
      name: "numberTrace() wraps around 2^32",
      points: 2,
      hint: "Sequence numbers are modulo 2^32: 4294967295 + 1 is 0.",
      run: (impl) => compare(impl, scenario("four-segment-close", 4_294_967_290, 4_294_967_280)),
    },
  ],
});
