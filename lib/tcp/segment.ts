/**
 * The few fields of a TCP segment this chapter reasons about.
 *
 * A structural type: segments dissected from a capture (lib/packet's `Segment`) and
 * segments made by the simulator both fit, so the same replay, checks and diagrams work
 * on either.
 *
 * @module
 */

import { seqAdd } from "./seq.ts";

/** The control bits used by the state machine (RFC 9293 3.1). */
export interface TcpFlags {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  psh?: boolean;
}

/** What one segment says, seen from the wire. */
export interface SegmentLike {
  /** Sender, e.g. `"127.0.0.1:40522"` or `"client"`. */
  from: string;
  /** Receiver. */
  to: string;
  /** SEG.SEQ: the number of the first octet (or of the SYN/FIN) it carries. */
  seq: number;
  /** SEG.ACK: the next octet the sender expects; meaningful only with the ACK flag. */
  ack: number;
  flags: TcpFlags;
  /** Bytes of data carried. */
  payloadLength: number;
}

/**
 * SEG.LEN (RFC 9293 3.4): data bytes, plus one for a SYN and one for a FIN, because
 * each of those occupies a sequence number of its own.
 *
 * @example
 * ```ts
 * import { segmentLength } from "./segment.ts";
 * const syn = { syn: true, ack: false, fin: false, rst: false };
 * if (segmentLength({ flags: syn, payloadLength: 0 }) !== 1) throw new Error("unexpected");
 * ```
 */
export function segmentLength(segment: Pick<SegmentLike, "flags" | "payloadLength">): number {
  return segment.payloadLength + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
}

/** The sequence number just after the segment: what the receiver will acknowledge. */
export function segmentEnd(segment: Pick<SegmentLike, "seq" | "flags" | "payloadLength">): number {
  return seqAdd(segment.seq, segmentLength(segment));
}

/**
 * Flags as tcpdump-like words, in a fixed order: `SYN,ACK`, `FIN,ACK`, `ACK,PSH`.
 *
 * @example
 * ```ts
 * import { flagText } from "./segment.ts";
 * const text = flagText({ syn: true, ack: true, fin: false, rst: false });
 * if (text !== "SYN,ACK") throw new Error(text);
 * ```
 */
export function flagText(flags: TcpFlags): string {
  const names: string[] = [];
  if (flags.syn) names.push("SYN");
  if (flags.fin) names.push("FIN");
  if (flags.rst) names.push("RST");
  if (flags.ack) names.push("ACK");
  if (flags.psh) names.push("PSH");
  return names.join(",") || "none";
}

/** Options for {@linkcode describeSegment}. */
export interface DescribeOptions {
  /** Subtract these initial sequence numbers (by sender) to print relative numbers, as Wireshark does. */
  isn?: Record<string, number>;
}

/**
 * One line that says what a segment carries: `SYN,ACK seq=300 ack=101 len=0`.
 * The ack is printed only when the ACK flag is set (otherwise the field means nothing).
 *
 * @example
 * ```ts
 * import { describeSegment } from "./segment.ts";
 * const text = describeSegment({
 *   from: "a", to: "b", seq: 100, ack: 0, payloadLength: 0,
 *   flags: { syn: true, ack: false, fin: false, rst: false },
 * });
 * if (text !== "SYN seq=100 len=0") throw new Error(text);
 * ```
 */
export function describeSegment(segment: SegmentLike, options: DescribeOptions = {}): string {
  const ownIsn = options.isn?.[segment.from];
  const peerIsn = options.isn?.[segment.to];
  const seq = ownIsn === undefined ? segment.seq : seqAdd(segment.seq, -ownIsn);
  const ack = peerIsn === undefined ? segment.ack : seqAdd(segment.ack, -peerIsn);
  return `${flagText(segment.flags)} seq=${seq}` + (segment.flags.ack ? ` ack=${ack}` : "") +
    ` len=${segment.payloadLength}`;
}
