/**
 * Grader for finding retransmissions and duplicate ACKs: the shipped captures and
 * captures generated with lib/packet (graders/capture_gen.ts), with losses, duplicate
 * ACKs and repeated ACKs that are not duplicates, against the rules of RFC 5681 2.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { readPcap, type Segment, tcpSegments } from "../../lib/packet/mod.ts";
import { generateCapture } from "../capture_gen.ts";
import { seededRandom } from "../seeded_random.ts";

type Impl = typeof import("../../exercises/02_tcp/retransmissions.ts");
type Finding = ReturnType<Impl["findRepeats"]>[number];

const SHIPPED = ["smtp-session", "tcp-lifecycle"].map((name) =>
  Deno.readFileSync(new URL(`../../fixtures/captures/${name}.pcap`, import.meta.url))
);

/** What we know about one side of one connection. */
interface SideState {
  /** Relative sequence number just past everything sent so far. */
  sentEnd: number;
  /** Segments that used sequence space: [start, end) and their packet. */
  sent: { start: number; end: number; packet: number }[];
  /** The greatest acknowledgment sent so far, the packet that first sent it, the last window. */
  greatestAck: number;
  greatestAckPacket: number;
  lastWindow: number | null;
}

/** Sequence space a segment uses: its data, plus one each for SYN and FIN. */
function span(s: Segment): number {
  return s.payloadLength + (s.flags.syn ? 1 : 0) + (s.flags.fin ? 1 : 0);
}

/** The answer, by the rules the exercise states (the grader's own copy). */
export function expectedRepeats(file: Uint8Array): Finding[] {
  const findings: Finding[] = [];
  const connections = new Map<string, Map<string, SideState>>();
  for (const s of tcpSegments(readPcap(file))) {
    const key = [s.from, s.to].sort().join(" ");
    let sides = connections.get(key);
    if (!sides || (s.flags.syn && !s.flags.ack)) connections.set(key, sides = new Map());
    const side = (name: string) => {
      let state = sides!.get(name);
      if (!state) {
        state = { sentEnd: 0, sent: [], greatestAck: -1, greatestAckPacket: -1, lastWindow: null };
        sides!.set(name, state);
      }
      return state;
    };
    const me = side(s.from), peer = side(s.to);
    const length = span(s);
    if (length > 0) {
      const start = s.relativeSeq, end = s.relativeSeq + length;
      if (me.sent.length && end <= me.sentEnd) {
        const first = me.sent.find((x) => x.start <= start && start < x.end);
        findings.push({ packet: s.index, kind: "retransmission", of: first?.packet ?? -1 });
      }
      me.sent.push({ start, end, packet: s.index });
      me.sentEnd = Math.max(me.sentEnd, end);
    }
    if (s.flags.ack) {
      const pure = s.payloadLength === 0 && !s.flags.syn && !s.flags.fin && !s.flags.rst;
      if (
        pure && s.relativeAck === me.greatestAck && s.window === me.lastWindow &&
        peer.sentEnd > s.relativeAck // the peer has data outstanding (RFC 5681 2 (a))
      ) {
        findings.push({ packet: s.index, kind: "duplicate-ack", of: me.greatestAckPacket });
      }
      if (s.relativeAck > me.greatestAck) {
        me.greatestAck = s.relativeAck;
        me.greatestAckPacket = s.index;
      }
      me.lastWindow = s.window;
    }
  }
  return findings;
}

/** Generated captures with a fixed seed. */
export function generated(seed: number, count: number, losses: boolean): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => generateCapture(random, { losses }));
}

/** Compare the learner's findings of one kind with the expected ones. */
export function compare(impl: Impl, file: Uint8Array, kind?: Finding["kind"]): void {
  const pick = (list: Finding[]) =>
    list.filter((f) => !kind || f.kind === kind).map((f) => ({ ...f }));
  const expected = pick(expectedRepeats(file));
  const got = impl.findRepeats(file);
  assert.ok(Array.isArray(got), "findRepeats() returns an array");
  assert.deepEqual(pick(got), expected, `${kind ?? "findings"} differ`);
}

export default defineExercise<Impl>({
  title: "Find retransmissions and duplicate ACKs",
  challenge: true,
  hints: [
    "Keep, per connection and side: the end of the sequence space sent so far, the segments sent (start, end, packet), the greatest ACK sent and the packet that first sent it, and the last window advertised.",
    "A segment that uses sequence space (data, SYN or FIN) and ends at or before what its side already sent is a retransmission: find the earlier segment whose range holds its first number.",
    "RFC 5681 2: a duplicate ACK carries no data, has SYN and FIN off, acknowledges the greatest number acknowledged so far, advertises the same window as the sender's last ACK, and the other side still has unacknowledged data. Check all five.",
  ],
  checks: [
    {
      name: "findRepeats() finds nothing to repeat in the shipped captures",
      points: 1,
      hint: "A clean loopback conversation has no retransmissions and no duplicate ACKs.",
      run: (impl) => {
        for (const file of SHIPPED) compare(impl, file);
      },
    },
    {
      name: "findRepeats() stays quiet on generated captures without losses",
      points: 2,
      hint:
        "A data segment that follows an ACK shares its sequence number but is new data; an ACK repeated with nothing outstanding is no duplicate.",
      run: (impl) => {
        for (const file of generated(211, 30, false)) compare(impl, file);
      },
    },
    {
      name: "findRepeats() finds the retransmissions in generated captures with losses",
      points: 3,
      hint:
        "The lost segment is seen leaving once, then again later with the same sequence number.",
      run: (impl) => {
        for (const file of generated(212, 30, true)) compare(impl, file, "retransmission");
      },
    },
    {
      name: "findRepeats() finds the duplicate ACKs in generated captures with losses",
      points: 3,
      hint: "Each segment that arrives after the gap draws the same ACK, with the same window.",
      run: (impl) => {
        for (const file of generated(213, 30, true)) compare(impl, file, "duplicate-ack");
      },
    },
    {
      name: "findRepeats() names the packet each finding repeats (generated)",
      points: 1,
      hint: "`of` is the first packet that carried those bytes, or first sent that ACK number.",
      run: (impl) => {
        for (const file of generated(214, 30, true)) compare(impl, file);
      },
    },
  ],
});
