/**
 * Which event of the state table an arriving segment is.
 *
 * RFC 9293 3.10.7 processes an arriving segment in a fixed order: RST, SYN, ACK, data,
 * FIN. One segment can therefore be several events in a row: a FIN that also
 * acknowledges our FIN takes FIN-WAIT-1 to FIN-WAIT-2 (the ACK) and on to TIME-WAIT
 * (the FIN), which is exactly what the common three-segment teardown does.
 *
 * @module
 */

import { seqAdd, seqLt } from "./seq.ts";
import type { SegmentLike } from "./segment.ts";
import { TCP_STATE, type TcpState } from "./state.ts";
import { TCP_EVENT, type TcpEvent } from "./transitions.ts";

/** What the receiver must know about itself to classify a segment. */
export interface ArrivalView {
  /** The receiver's state. */
  state: TcpState;
  /** The receiver's initial sequence number (ISS), if it sent a SYN. */
  iss?: number;
  /** The sequence number of the receiver's FIN, once it sent one. */
  finSeq?: number;
  /** SND.UNA: the receiver's oldest unacknowledged sequence number. */
  sndUna?: number;
}

/**
 * The events, in RFC processing order, that `segment` is for the endpoint `view`.
 *
 * @example A FIN that also acknowledges our FIN
 * ```ts
 * import { classifyArrival } from "./classify.ts";
 * const events = classifyArrival(
 *   { state: "FIN-WAIT-1", iss: 100, finSeq: 105, sndUna: 105 },
 *   { from: "s", to: "c", seq: 300, ack: 106, payloadLength: 0,
 *     flags: { syn: false, ack: true, fin: true, rst: false } },
 * );
 * if (events.join() !== "rcv-ack-of-fin,rcv-fin") throw new Error(events.join());
 * ```
 */
export function classifyArrival(view: ArrivalView, segment: SegmentLike): TcpEvent[] {
  const { flags } = segment;
  if (flags.rst) return [TCP_EVENT.RCV_RST];
  switch (view.state) {
    case TCP_STATE.CLOSED:
      return [TCP_EVENT.RCV_SEGMENT];
    case TCP_STATE.LISTEN:
    case TCP_STATE.SYN_SENT:
      if (flags.syn) return [flags.ack ? TCP_EVENT.RCV_SYN_ACK : TCP_EVENT.RCV_SYN];
      return [segment.payloadLength > 0 ? TCP_EVENT.RCV_DATA : TCP_EVENT.RCV_ACK];
  }
  const events: TcpEvent[] = [];
  // In SYN-RECEIVED a SYN is the peer's SYN again (simultaneous open sends SYN,ACK,
  // RFC 9293 Figure 7); in a synchronized state a SYN is an error (3.10.7.4 fourth).
  if (flags.syn && view.state !== TCP_STATE.SYN_RECEIVED) events.push(TCP_EVENT.RCV_SYN);
  if (flags.ack) {
    if (
      view.state === TCP_STATE.SYN_RECEIVED && view.iss !== undefined &&
      seqLt(view.iss, segment.ack)
    ) {
      events.push(TCP_EVENT.RCV_ACK_OF_SYN);
    }
    if (view.finSeq !== undefined) {
      const afterFin = seqAdd(view.finSeq, 1);
      const alreadyAcked = view.sndUna === afterFin;
      if (segment.ack === afterFin && !alreadyAcked) events.push(TCP_EVENT.RCV_ACK_OF_FIN);
    }
  }
  if (segment.payloadLength > 0) events.push(TCP_EVENT.RCV_DATA);
  if (flags.fin) events.push(TCP_EVENT.RCV_FIN);
  if (events.length === 0) events.push(TCP_EVENT.RCV_ACK);
  return events;
}
