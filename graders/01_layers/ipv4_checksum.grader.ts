/**
 * Grader for the IPv4 header checksum: known answers, headers from the shipped loopback
 * capture (checksum field already filled), a header with options, and many random headers
 * judged by lib/packet's `ipv4Checksum`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { buildIpv4, ipv4Checksum } from "../../lib/packet/ipv4.ts";
import { readPcap } from "../../lib/packet/pcap.ts";

type Impl = typeof import("../../exercises/01_layers/ipv4_checksum.ts");

const hex = (n: number) => `0x${n.toString(16).padStart(4, "0")}`;

/** A classic example header (192.168.0.1 -> 192.168.0.199, UDP), checksum field zeroed. */
const EXAMPLE = new Uint8Array([
  0x45,
  0x00,
  0x00,
  0x73,
  0x00,
  0x00,
  0x40,
  0x00,
  0x40,
  0x11,
  0x00,
  0x00,
  0xc0,
  0xa8,
  0x00,
  0x01,
  0xc0,
  0xa8,
  0x00,
  0xc7,
]);

/** IPv4 headers of the shipped SMTP capture, checksum fields as captured. */
async function capturedHeaders(): Promise<Uint8Array[]> {
  const url = new URL("../../fixtures/captures/smtp-session.pcap", import.meta.url);
  const pcap = readPcap(await Deno.readFile(url));
  return pcap.packets.map((p) => p.data.slice(14, 14 + (p.data[14] & 0x0f) * 4));
}

/** A deterministic pseudo-random generator, so a failure can be reproduced. */
function* randomHeaders(count: number): Generator<Uint8Array> {
  let state = 0x1234567;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 16;
  for (let i = 0; i < count; i++) {
    const header = buildIpv4({
      source: [next() & 255, next() & 255, next() & 255, next() & 255].join("."),
      destination: [next() & 255, next() & 255, next() & 255, next() & 255].join("."),
      identification: next(),
      ttl: next() & 255,
      protocol: next() & 255,
      totalLength: 20 + (next() & 0x7fff),
    });
    yield header;
  }
}

export default defineExercise<Impl>({
  title: "The IPv4 header checksum",
  hints: [
    "Walk the header two bytes at a time: word = (header[i] << 8) | header[i + 1]. Skip i = 10, the checksum field itself.",
    "A sum of ten 16-bit words can exceed 16 bits. Fold: while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16). Dropping the carry gives a wrong answer on most real headers.",
    "Return ~sum & 0xffff (JavaScript's ~ works on 32 bits). Sum header.length bytes, not 20: headers with options are longer.",
  ],
  checks: [
    {
      name: "ipv4HeaderChecksum() gives 0xb861 for the classic example header",
      points: 2,
      hint: "Big-endian words (network byte order): the first word is 0x4500, not 0x0045.",
      run(impl) {
        assert.equal(hex(impl.ipv4HeaderChecksum(EXAMPLE)), "0xb861");
      },
    },
    {
      name: "ipv4HeaderChecksum() ignores the value already in the checksum field",
      points: 2,
      hint: "The checksum is computed as if bytes 10 and 11 were zero: skip them in the sum.",
      async run(impl) {
        for (const header of await capturedHeaders()) {
          const stored = (header[10] << 8) | header[11];
          assert.equal(hex(impl.ipv4HeaderChecksum(header)), hex(stored), "a captured header");
        }
      },
    },
    {
      name: "ipv4HeaderChecksum() matches lib/packet on 200 random headers",
      points: 2,
      hint: "Fold every carry above bit 15 back into the low 16 bits before complementing.",
      run(impl) {
        for (const header of randomHeaders(200)) {
          assert.equal(hex(impl.ipv4HeaderChecksum(header)), hex(ipv4Checksum(header)));
        }
      },
    },
    {
      name: "ipv4HeaderChecksum() folds every carry, even one that a first fold creates",
      points: 1,
      hint:
        "One fold can produce a new carry (0xffff + 1): fold in a loop until the sum fits in 16 bits. And % 0xffff is not the same as folding.",
      run(impl) {
        const words = (list: number[]) => new Uint8Array(list.flatMap((w) => [w >> 8, w & 0xff]));
        for (
          const header of [
            words([0x4500, 0xffff, 0x0001, 0xbaff, 0, 0, 0, 0, 0, 0]), // needs a second fold
            words([0x4500, 0xbaff, 0, 0, 0, 0, 0, 0, 0, 0]), // sums to exactly 0xffff
            words(Array(10).fill(0xffff)),
          ]
        ) {
          assert.equal(
            hex(impl.ipv4HeaderChecksum(header)),
            hex(ipv4Checksum(header)),
            `the header ${[...header].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
          );
        }
      },
    },
    {
      name: "ipv4HeaderChecksum() covers the options of a longer header (IHL > 5)",
      points: 1,
      hint:
        "Sum all header.length bytes: IHL counts 32-bit words, and options are part of the header.",
      run(impl) {
        const header = buildIpv4({
          source: "127.0.0.1",
          destination: "127.0.0.1",
          options: new Uint8Array([0x94, 0x04, 0x12, 0x34]), // Router Alert, value 0x1234
        });
        assert.equal(header.length, 24);
        assert.equal(hex(impl.ipv4HeaderChecksum(header)), hex(ipv4Checksum(header)));
      },
    },
    {
      name: "ipv4HeaderValid() accepts captured headers and rejects a changed one",
      points: 1,
      hint: "Valid means: the stored field equals the checksum you compute.",
      async run(impl) {
        const headers = await capturedHeaders();
        for (const header of headers) assert.equal(impl.ipv4HeaderValid(header), true);
        const changed = headers[0].slice();
        changed[8] -= 1; // a router decremented the TTL and forgot the checksum
        assert.equal(impl.ipv4HeaderValid(changed), false);
      },
    },
  ],
});
