/**
 * Hidden checks for the IPv4 checksum: generated headers, biased towards the bytes that
 * make carries (0xff) and sums that are multiples of 0xffff, judged by lib/packet.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { ipv4Checksum } from "../../lib/packet/ipv4.ts";

type Impl = typeof import("../../exercises/01_layers/ipv4_checksum.ts");

const byte = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0x00, 0xff, 0x01, 0xfe) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const headers = fc.integer({ min: 5, max: 15 }).chain((words) =>
  fc.array(byte, { minLength: words * 4, maxLength: words * 4 })
).map((bytes) => {
  const header = new Uint8Array(bytes);
  header[0] = 0x40 | (bytes.length / 4); // version 4, IHL
  return header;
});

/** Words that need a second fold, and a sum that is exactly 0xffff. */
function edge(words: number[]): Uint8Array {
  const header = new Uint8Array(20);
  words.forEach((w, i) => {
    header[i * 2] = w >> 8;
    header[i * 2 + 1] = w & 0xff;
  });
  return header;
}
const EDGES = [
  edge([0x45ff, 0xffff, 0xffff, 0xffff, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff]),
  edge([0x4500, 0xffff, 0x0001, 0xbaff, 0, 0, 0, 0, 0, 0]),
  edge([0x4500, 0xbaff, 0, 0, 0, 0, 0, 0, 0, 0]),
  edge([0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff]),
];

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "ipv4HeaderChecksum() agrees with lib/packet on 400 generated headers, carries included",
    points: 2,
    hint:
      "Fold until the sum fits in 16 bits (a loop, not one step), and do not use % 0xffff: it differs when the sum is a multiple of 0xffff.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: headers.map((h) => [h] as [Uint8Array]),
        examples: EDGES.map((h) => [h] as [Uint8Array]),
        learner: (h) => impl.ipv4HeaderChecksum(h),
        reference: (h) => ipv4Checksum(h),
        call: (h) => `ipv4HeaderChecksum(${show(h, 400)})`,
        showResult: (n) => `0x${Number(n).toString(16)}`,
        runs: 400,
      }),
  },
  {
    name: "ipv4HeaderValid() agrees with lib/packet on generated headers, valid and not",
    points: 1,
    hint: "Valid means: bytes 10-11 hold exactly the checksum you compute.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: fc.tuple(headers, fc.boolean()).map(([h, fix]) => {
          if (fix) {
            h[10] = 0;
            h[11] = 0;
            const sum = ipv4Checksum(h);
            h[10] = sum >> 8;
            h[11] = sum & 0xff;
          }
          return [h] as [Uint8Array];
        }),
        examples: EDGES.map((h) => [h] as [Uint8Array]),
        learner: (h) => impl.ipv4HeaderValid(h),
        reference: (h) => ipv4Checksum(h) === ((h[10] << 8) | h[11]),
        call: (h) => `ipv4HeaderValid(${show(h, 400)})`,
      }),
  },
];
