import assert from "node:assert/strict";
import { classifyArrival } from "./classify.ts";
import type { SegmentLike } from "./segment.ts";

function seg(flags: string, seq: number, ack: number, payloadLength = 0): SegmentLike {
  return {
    from: "peer",
    to: "me",
    seq,
    ack,
    payloadLength,
    flags: {
      syn: flags.includes("S"),
      ack: flags.includes("A"),
      fin: flags.includes("F"),
      rst: flags.includes("R"),
    },
  };
}

Deno.test("classifyArrival() names handshake segments", () => {
  assert.deepEqual(classifyArrival({ state: "LISTEN" }, seg("S", 100, 0)), ["rcv-syn"]);
  assert.deepEqual(classifyArrival({ state: "SYN-SENT", iss: 100 }, seg("SA", 300, 101)), [
    "rcv-syn-ack",
  ]);
  assert.deepEqual(classifyArrival({ state: "SYN-SENT", iss: 100 }, seg("S", 300, 0)), ["rcv-syn"]);
  assert.deepEqual(classifyArrival({ state: "SYN-RECEIVED", iss: 300 }, seg("A", 101, 301)), [
    "rcv-ack-of-syn",
  ]);
});

Deno.test("classifyArrival() treats a SYN,ACK in SYN-RECEIVED as the ACK of our SYN (simultaneous open)", () => {
  assert.deepEqual(classifyArrival({ state: "SYN-RECEIVED", iss: 100 }, seg("SA", 300, 101)), [
    "rcv-ack-of-syn",
  ]);
});

Deno.test("classifyArrival() splits a FIN,ACK that acks our FIN into two events", () => {
  const view = { state: "FIN-WAIT-1" as const, iss: 100, finSeq: 105, sndUna: 105 };
  assert.deepEqual(classifyArrival(view, seg("FA", 300, 106)), ["rcv-ack-of-fin", "rcv-fin"]);
  assert.deepEqual(classifyArrival(view, seg("FA", 300, 105)), ["rcv-fin"]);
  assert.deepEqual(classifyArrival(view, seg("A", 300, 106)), ["rcv-ack-of-fin"]);
  // Already acknowledged: a second ACK of the FIN is a plain ACK.
  assert.deepEqual(classifyArrival({ ...view, sndUna: 106 }, seg("A", 300, 106)), ["rcv-ack"]);
});

Deno.test("classifyArrival() sees data, RST and segments for no connection", () => {
  assert.deepEqual(classifyArrival({ state: "ESTABLISHED" }, seg("A", 1, 1, 10)), ["rcv-data"]);
  assert.deepEqual(classifyArrival({ state: "ESTABLISHED" }, seg("RA", 1, 1)), ["rcv-rst"]);
  assert.deepEqual(classifyArrival({ state: "CLOSED" }, seg("FA", 1, 1)), ["rcv-segment"]);
  assert.deepEqual(classifyArrival({ state: "ESTABLISHED" }, seg("S", 1, 0)), ["rcv-syn"]);
});
