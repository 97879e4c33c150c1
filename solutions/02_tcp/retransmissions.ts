/**
 * Find retransmissions and duplicate ACKs in a capture (RFC 9293 3.4, RFC 5681 2).
 *
 * @module
 */

import { readPcap, type Segment, tcpSegments } from "../../lib/packet/mod.ts";

/** One segment that repeats an earlier one. */
export interface Finding {
  /** Position of its packet in the file, counted from 0. */
  packet: number;
  kind: "retransmission" | "duplicate-ack";
  /** The packet it repeats: the first sending of those bytes, or the first ACK of that number. */
  of: number;
}

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

/** Every retransmission and duplicate ACK, in packet order. */
export function findRepeats(file: Uint8Array): Finding[] {
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
