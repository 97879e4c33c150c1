/**
 * Grader for dissecting a whole capture: the shipped captures and generated ones
 * (graders/capture_gen.ts) against what lib/packet reads from the same bytes, and the
 * TCP checksum against lib/packet's on the shipped segments and generated ones.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import {
  dissectFrame,
  readPcap,
  type Segment,
  tcpChecksum,
  tcpSegments,
} from "../../lib/packet/mod.ts";
import { generateCapture } from "../capture_gen.ts";
import { type Random, seededRandom } from "../seeded_random.ts";

type Impl = typeof import("../../exercises/01_layers/dissect_capture.ts");
type Connection = ReturnType<Impl["dissectCapture"]>[number];

const SHIPPED = ["smtp-session", "tcp-lifecycle"].map((name) =>
  Deno.readFileSync(new URL(`../../fixtures/captures/${name}.pcap`, import.meta.url))
);

/** What the connections of a capture are, from lib/packet's reading of it. */
export function expectedConnections(file: Uint8Array): Connection[] {
  const all: { connection: Connection; key: string }[] = [];
  const open = new Map<string, Connection>();
  for (const s of tcpSegments(readPcap(file)) as Segment[]) {
    const key = [s.from, s.to].sort().join(" ");
    let c = open.get(key);
    if (!c || (s.flags.syn && !s.flags.ack)) {
      c = {
        client: s.from,
        server: s.to,
        handshake: null,
        clientBytes: 0,
        serverBytes: 0,
        ending: "open",
        segments: [],
      };
      open.set(key, c);
      all.push({ connection: c, key });
    }
    const from = s.from === c.client ? "client" : "server";
    const { syn, ack, fin, rst, psh } = s.flags;
    c.segments.push({
      packet: s.index,
      from,
      flags: { syn, ack, fin, rst, psh },
      seq: s.relativeSeq,
      ack: s.relativeAck,
      length: s.payloadLength,
    });
    if (from === "client") c.clientBytes += s.payloadLength;
    else c.serverBytes += s.payloadLength;
  }
  for (const { connection: c } of all) {
    const syn = c.segments.find((s) => s.from === "client" && s.flags.syn && !s.flags.ack);
    const synAck = c.segments.find((s) =>
      s.from === "server" && s.flags.syn && s.flags.ack && s.ack === 1
    );
    const ack = c.segments.find((s) =>
      s.from === "client" && !s.flags.syn && s.flags.ack && s.seq === 1 && s.ack === 1
    );
    if (syn && synAck && ack && syn.packet < synAck.packet && synAck.packet < ack.packet) {
      c.handshake = [syn.packet, synAck.packet, ack.packet];
    }
    const fins = new Set(c.segments.filter((s) => s.flags.fin).map((s) => s.from));
    c.ending = c.segments.some((s) => s.flags.rst)
      ? "rst"
      : fins.size === 2
      ? "fin"
      : fins.size === 1
      ? "half-closed"
      : "open";
  }
  return all.map((a) => a.connection);
}

/** Compare one part of the learner's answer with the expected one. */
function compare(
  impl: Impl,
  file: Uint8Array,
  pick: (c: Connection) => unknown,
  what: string,
): void {
  const got = impl.dissectCapture(file);
  const expected = expectedConnections(file);
  assert.equal(
    got.length,
    expected.length,
    `${what}: ${got.length} connections, expected ${expected.length}`,
  );
  expected.forEach((e, i) => {
    assert.deepEqual(
      pick(got[i]),
      pick(e),
      `${what}, connection ${i + 1} (${e.client} → ${e.server})`,
    );
  });
}

/** Generated captures with a fixed seed. */
function generated(seed: number, count: number): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateCapture(random));
}

/** A generated TCP segment: ports, numbers, flags, options-free header, any payload. */
export function generatedSegment(random: Random): {
  segment: Uint8Array;
  source: string;
  destination: string;
} {
  const payload = new Uint8Array(random.int(0, 1500)).map(() =>
    random.chance(0.5) ? 0xff : random.int(0, 255)
  );
  const segment = new Uint8Array(20 + payload.length).map(() => random.int(0, 255));
  segment[12] = 5 << 4;
  segment.set(payload, 20);
  const address = () => Array.from({ length: 4 }, () => random.int(0, 255)).join(".");
  return { segment, source: address(), destination: address() };
}

export default defineExercise<Impl>({
  title: "Dissect a whole capture file",
  challenge: true,
  hints: [
    "The first 4 bytes are the magic number a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), written in the file's byte order: read it both ways. The link type is the last 4 bytes of the global header. Each record: 16 bytes (seconds, fraction, captured length, original length), then the captured bytes.",
    "Key a connection by the two address:port pairs sorted, so both directions find it. Keep each side's base in a map; relative = (n - base + 2**32) % 2**32.",
    "The handshake: the client's SYN, the server's SYN+ACK acknowledging relative 1, the client's ACK with relative seq 1 and ack 1. The checksum: add the pseudo-header (source, destination, 0, 6, TCP length) and the segment as 16-bit big-endian words (pad an odd last byte with 0, skip bytes 16-17), fold carries, complement.",
  ],
  checks: [
    {
      name: "dissectCapture() finds the shipped captures' connections and ends",
      points: 2,
      hint: "One connection per capture; the client is the side that sent the SYN.",
      run: (impl) => {
        for (const file of SHIPPED) {
          compare(impl, file, (c) => [c.client, c.server, c.ending], "shipped capture");
        }
      },
    },
    {
      name: "dissectCapture() gives relative seq/ack and flags for every shipped segment",
      points: 2,
      hint: "Relative numbers start at 0 for the SYN; the SYN and FIN each count as one.",
      run: (impl) => {
        for (const file of SHIPPED) compare(impl, file, (c) => c.segments, "shipped capture");
      },
    },
    {
      name: "dissectCapture() separates interleaved generated connections",
      points: 2,
      hint:
        "Frames of several connections alternate; a new SYN on the same ports starts a new one; ARP and UDP frames are skipped.",
      run: (impl) => {
        for (const file of generated(111, 25)) {
          compare(impl, file, (c) => [c.client, c.server, c.segments.length], "generated capture");
        }
      },
    },
    {
      name: "dissectCapture() gives relative numbers across the 2^32 wrap (generated)",
      points: 2,
      hint: "Many generated connections start just below 2^32: subtract modulo 2^32.",
      run: (impl) => {
        for (const file of generated(112, 25)) {
          compare(impl, file, (c) => c.segments, "generated capture");
        }
      },
    },
    {
      name: "dissectCapture() finds handshakes, byte counts and endings (generated)",
      points: 2,
      hint:
        "Some captures start mid-connection (no handshake); endings: FIN both ways, FIN one way (half-closed), RST, or still open.",
      run: (impl) => {
        for (const file of generated(113, 25)) {
          compare(
            impl,
            file,
            (c) => [c.handshake, c.clientBytes, c.serverBytes, c.ending],
            "generated capture",
          );
        }
      },
    },
    {
      name: "tcpChecksum() matches on the shipped segments and generated ones",
      points: 2,
      hint:
        "Odd lengths pad with a zero byte; carries fold back in (more than once); the field itself counts as zero.",
      run: (impl) => {
        for (const file of SHIPPED) {
          const pcap = readPcap(file);
          for (const packet of pcap.packets) {
            const { link, ip, tcp } = dissectFrame(packet.data, pcap.linkType);
            if (!ip || !tcp) continue;
            const start = link.headerLength + ip.headerLength;
            const segment = packet.data.subarray(start, link.headerLength + ip.totalLength);
            assert.equal(
              impl.tcpChecksum(segment, ip.source, ip.destination),
              tcpChecksum(segment, ip.source, ip.destination),
            );
          }
        }
        const random = seededRandom(114);
        for (let i = 0; i < 300; i++) {
          const { segment, source, destination } = generatedSegment(random);
          assert.equal(
            impl.tcpChecksum(segment, source, destination),
            tcpChecksum(segment, source, destination),
            `a ${segment.length}-byte segment from ${source} to ${destination}`,
          );
        }
      },
    },
  ],
});
