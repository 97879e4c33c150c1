/**
 * Hidden checks for dissecting a frame: generated frames of every shape, judged by
 * lib/packet.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { dissectFrame } from "../../lib/packet/dissect.ts";
import { buildIpv4 } from "../../lib/packet/ipv4.ts";
import { buildLink, LOOPBACK_ETHERNET } from "../../lib/packet/link.ts";
import { buildTcp } from "../../lib/packet/tcp.ts";

type Impl = typeof import("../../exercises/01_layers/dissect_frame.ts");

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);

/** A frame with generated fields, options, payload and padding, as a view into a bigger buffer. */
const frames = fc.record({
  sourcePort: fc.integer({ min: 0, max: 65535 }),
  destinationPort: fc.integer({ min: 0, max: 65535 }),
  seq: u32,
  ack: u32,
  flags: fc.record({
    syn: fc.boolean(),
    ack: fc.boolean(),
    fin: fc.boolean(),
    rst: fc.boolean(),
    psh: fc.boolean(),
  }),
  ipOptionWords: fc.integer({ min: 0, max: 10 }),
  timestamps: fc.boolean(),
  payload: fc.string({ unit: "grapheme", maxLength: 40 }),
  padding: fc.integer({ min: 0, max: 12 }),
  offset: fc.integer({ min: 0, max: 9 }),
}).map((f) => {
  const addresses = { source: "127.0.0.1", destination: "127.0.0.1" };
  const segment = buildTcp(
    {
      sourcePort: f.sourcePort,
      destinationPort: f.destinationPort,
      seq: f.seq,
      ack: f.ack,
      flags: f.flags,
      options: f.timestamps
        ? [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", value: 1, echo: 2 }]
        : [],
    },
    new TextEncoder().encode(f.payload),
    addresses,
  );
  const options = new Uint8Array(f.ipOptionWords * 4).fill(1); // NOPs
  const bytes = [...buildLink(LOOPBACK_ETHERNET), ...buildIpv4({ ...addresses, options }, segment)];
  const whole = new Uint8Array(f.offset + bytes.length + f.padding);
  whole.set(bytes, f.offset);
  return whole.subarray(f.offset);
});

function expected(data: Uint8Array) {
  const f = dissectFrame(data, 1);
  const t = f.tcp!;
  return {
    sourcePort: t.sourcePort,
    destinationPort: t.destinationPort,
    seq: t.seq,
    ack: t.ack,
    flags: {
      syn: t.flags.syn,
      ack: t.flags.ack,
      fin: t.flags.fin,
      rst: t.flags.rst,
      psh: t.flags.psh,
    },
    payload: new TextDecoder().decode(f.payload),
  };
}

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "dissectLoopbackFrame() agrees with lib/packet on 300 generated frames",
    points: 3,
    hint:
      "Every field at its offset, big-endian and unsigned; IP and TCP headers of any length; the payload ends at the IP total length; the frame may be a view into a bigger buffer (mind byteOffset).",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: frames.map((frame) => [frame] as [Uint8Array]),
        learner: (frame) => impl.dissectLoopbackFrame(frame),
        reference: expected,
        call: (frame) =>
          `dissectLoopbackFrame(${show(frame, 120)} at byteOffset ${frame.byteOffset})`,
      }),
  },
];
