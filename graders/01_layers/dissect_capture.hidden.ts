/**
 * Hidden checks for dissecting a whole capture: more generated captures, other seeds,
 * with losses, and the same captures rewritten with the raw-IP link type (101).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { LINKTYPE, readPcap, writePcap } from "../../lib/packet/mod.ts";
import { generateCapture } from "../capture_gen.ts";
import { seededRandom } from "../seeded_random.ts";
import { expectedConnections } from "./dissect_capture.grader.ts";

type Impl = typeof import("../../exercises/01_layers/dissect_capture.ts");

/** The same packets without their Ethernet headers, as a raw-IP capture. */
function asRawIp(file: Uint8Array): Uint8Array {
  const pcap = readPcap(file);
  const packets = pcap.packets
    .filter((p) => ((p.data[12] << 8) | p.data[13]) === 0x0800)
    .map((p) => ({ ...p, data: p.data.slice(14), capturedLength: p.capturedLength - 14 }));
  return writePcap({ ...pcap, linkType: LINKTYPE.RAW, packets });
}

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "dissectCapture() holds on 30 more generated captures, losses included",
    points: 2,
    hint: "Every rule of the visible checks, on captures with retransmitted segments too.",
    timeoutMs: 15_000,
    run: (impl) => {
      const random = seededRandom(9111);
      for (let i = 0; i < 30; i++) {
        const file = generateCapture(random, { losses: random.chance(0.5) });
        assert.deepEqual(impl.dissectCapture(file), expectedConnections(file));
      }
    },
  },
  {
    name: "dissectCapture() reads raw-IP captures (link type 101)",
    points: 1,
    hint: "With link type 101 the packet starts with the IPv4 header: no Ethernet header.",
    run: (impl) => {
      const random = seededRandom(9112);
      for (let i = 0; i < 20; i++) {
        const file = asRawIp(generateCapture(random));
        assert.deepEqual(impl.dissectCapture(file), expectedConnections(file));
      }
    },
  },
];
