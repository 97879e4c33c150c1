/**
 * One endpoint of a TCP connection: its state and sequence variables (RFC 9293 3.3.1's
 * "transmission control block"), and a pure `step()` that applies one event.
 *
 * `step()` takes the endpoint and what happened (a user call, an arriving segment, a
 * timer) and returns the new endpoint, the segments it sends with real seq/ack numbers,
 * and the transitions taken. It never changes its input, so a learner can keep every
 * intermediate endpoint and compare.
 *
 * @module
 */

import { classifyArrival } from "./classify.ts";
import { segmentEnd, type SegmentLike, type TcpFlags } from "./segment.ts";
import { assertSeq, randomIsn, seqAdd, seqDiff, seqLe, seqLt } from "./seq.ts";
import { TCP_STATE, type TcpState } from "./state.ts";
import { nextState, rule, TCP_EVENT, type TcpEvent } from "./transitions.ts";

/** One endpoint's view of the connection. Immutable: {@linkcode step} returns a new one. */
export interface Endpoint {
  /** Name used as `from` on the segments it sends ("client"). */
  readonly name: string;
  /** Name of the other end ("server"). */
  readonly peer: string;
  readonly state: TcpState;
  /** Opened with a passive OPEN (matters after a RST in SYN-RECEIVED). */
  readonly passive: boolean;
  /** ISS: our initial sequence number. */
  readonly iss: number;
  /** IRS: the peer's initial sequence number, once its SYN arrived. */
  readonly irs?: number;
  /** SND.UNA: oldest sequence number sent but not yet acknowledged. */
  readonly sndUna: number;
  /** SND.NXT: the sequence number of the next byte (or SYN/FIN) we send. */
  readonly sndNxt: number;
  /** RCV.NXT: the next sequence number we expect, i.e. what we acknowledge. */
  readonly rcvNxt?: number;
  /** Sequence number of our FIN, once sent. */
  readonly finSeq?: number;
  /** The peer's FIN has arrived: nothing more will come. */
  readonly peerFin: boolean;
  /** Bytes of data delivered to our application. */
  readonly delivered: number;
}

/**
 * A new endpoint in CLOSED.
 *
 * @param iss initial sequence number; random by default, as RFC 9293 3.4.1 requires.
 */
export function createEndpoint(name: string, peer: string, iss: number = randomIsn()): Endpoint {
  assertSeq(iss, `initial sequence number for ${name}`);
  return {
    name,
    peer,
    state: TCP_STATE.CLOSED,
    passive: false,
    iss,
    sndUna: iss,
    sndNxt: iss,
    peerFin: false,
    delivered: 0,
  };
}

/** User calls and timers, named as in the transition table. */
export type UserCall =
  | "passive-open"
  | "active-open"
  | "close"
  | "abort"
  | "timeout-2msl"
  | "timeout-rto";

/** What {@linkcode step} can be given. */
export type StepInput = UserCall | { send: number } | { segment: SegmentLike };

/** One transition taken. */
export interface Transition {
  from: TcpState;
  event: TcpEvent;
  to: TcpState;
}

/** What one step did. */
export interface StepResult {
  endpoint: Endpoint;
  /** Segments sent, in order. */
  sent: SegmentLike[];
  /** Transitions taken, self-loops included. */
  transitions: Transition[];
  /** Set when an arriving segment was a duplicate and only earned an ACK (RFC 9293 3.10.7.4 first). */
  note?: string;
}

/** An arriving segment that the model cannot accept (out of order, acks the future). */
export class SegmentRejectedError extends Error {
  constructor(endpoint: Endpoint, why: string) {
    super(`Cannot accept segment at ${endpoint.name} in state ${endpoint.state}: ${why}`);
    this.name = "SegmentRejectedError";
  }
}

const NO_FLAGS: TcpFlags = { syn: false, ack: false, fin: false, rst: false, psh: false };

function segment(
  from: Endpoint,
  flags: Partial<TcpFlags>,
  seq: number,
  payloadLength = 0,
): SegmentLike {
  const withAck = from.rcvNxt !== undefined && !flags.rst;
  return {
    from: from.name,
    to: from.peer,
    seq,
    ack: withAck ? from.rcvNxt! : 0,
    flags: { ...NO_FLAGS, ack: withAck, ...flags },
    payloadLength,
  };
}

/**
 * Apply one event to an endpoint.
 *
 * @throws {InvalidEventError} the event has no row in the table for the current state
 *   (the message names both).
 * @throws {SegmentRejectedError} an arriving segment is out of order or acknowledges
 *   data never sent.
 *
 * @example Three-way handshake, by hand
 * ```ts
 * import { createEndpoint, step } from "./endpoint.ts";
 * let client = createEndpoint("client", "server", 100);
 * let server = step(createEndpoint("server", "client", 300), "passive-open").endpoint;
 * const syn = step(client, "active-open");
 * client = syn.endpoint;
 * const synAck = step(server, { segment: syn.sent[0] });
 * server = synAck.endpoint;
 * const ack = step(client, { segment: synAck.sent[0] });
 * server = step(server, { segment: ack.sent[0] }).endpoint;
 * if (synAck.sent[0].ack !== 101 || ack.sent[0].ack !== 301) throw new Error("unexpected");
 * if (server.state !== "ESTABLISHED") throw new Error(server.state);
 * ```
 */
export function step(endpoint: Endpoint, input: StepInput): StepResult {
  if (typeof input === "object" && "segment" in input) return arrive(endpoint, input.segment);
  const event: TcpEvent = typeof input === "string" ? input : TCP_EVENT.SEND;
  const found = rule(endpoint.state, event);
  const to = nextState(endpoint.state, event, { passive: endpoint.passive });
  const transitions = [{ from: endpoint.state, event, to }];
  let ep: Endpoint = { ...endpoint, state: to };
  const sent: SegmentLike[] = [];
  switch (event) {
    case TCP_EVENT.PASSIVE_OPEN:
      ep = { ...ep, passive: true };
      break;
    case TCP_EVENT.ACTIVE_OPEN:
      sent.push(segment(ep, { syn: true }, ep.iss));
      ep = { ...ep, sndNxt: seqAdd(ep.iss, 1) };
      break;
    case TCP_EVENT.SEND: {
      const bytes = (input as { send: number }).send;
      if (!Number.isInteger(bytes) || bytes <= 0) {
        throw new RangeError(`Cannot send ${bytes} bytes: give a positive whole number`);
      }
      sent.push(segment(ep, { psh: true }, ep.sndNxt, bytes));
      ep = { ...ep, sndNxt: seqAdd(ep.sndNxt, bytes) };
      break;
    }
    case TCP_EVENT.CLOSE:
      if (found.send === "FIN") {
        sent.push(segment(ep, { fin: true }, ep.sndNxt));
        ep = { ...ep, finSeq: ep.sndNxt, sndNxt: seqAdd(ep.sndNxt, 1) };
      }
      break;
    case TCP_EVENT.ABORT:
      if (found.send === "RST") sent.push(segment(ep, { rst: true }, ep.sndNxt));
      break;
    case TCP_EVENT.TIMEOUT_RTO:
      sent.push(retransmission(endpoint));
      break;
  }
  return { endpoint: ep, sent, transitions };
}

/** RFC 9293 3.8.1: send again everything from SND.UNA (one segment in this model). */
function retransmission(ep: Endpoint): SegmentLike {
  if (ep.state === TCP_STATE.SYN_SENT) return segment(ep, { syn: true }, ep.iss);
  if (ep.state === TCP_STATE.SYN_RECEIVED) return segment(ep, { syn: true }, ep.iss);
  const outstanding = seqDiff(ep.sndNxt, ep.sndUna);
  if (outstanding <= 0) {
    throw new SegmentRejectedError(ep, "nothing is unacknowledged, so nothing to retransmit");
  }
  const fin = ep.finSeq !== undefined && seqLe(ep.sndUna, ep.finSeq);
  const data = outstanding - (fin ? 1 : 0);
  return segment(ep, { fin, psh: data > 0 }, ep.sndUna, data);
}

/** RFC 9293 3.10.7: an arriving segment. */
function arrive(endpoint: Endpoint, seg: SegmentLike): StepResult {
  const state = endpoint.state;
  const synchronizedOrSynRcvd = state !== TCP_STATE.CLOSED && state !== TCP_STATE.LISTEN &&
    state !== TCP_STATE.SYN_SENT;
  let duplicateFin = false;

  if (state === TCP_STATE.SYN_SENT && seg.flags.ack && seg.ack !== endpoint.sndNxt) {
    throw new SegmentRejectedError(
      endpoint,
      `it acknowledges ${seg.ack}, but our SYN was ${endpoint.iss} so the ACK must be ${endpoint.sndNxt}`,
    );
  }
  if (synchronizedOrSynRcvd) {
    const rcvNxt = endpoint.rcvNxt!;
    // The peer's SYN again (simultaneous open's SYN,ACK): its data starts after the SYN.
    const start = seg.flags.syn && seg.seq === endpoint.irs ? seqAdd(seg.seq, 1) : seg.seq;
    if (seqLt(rcvNxt, start)) {
      throw new SegmentRejectedError(
        endpoint,
        `seq ${seg.seq} is ahead of the expected ${rcvNxt} (a segment is missing; this model delivers in order)`,
      );
    }
    if (seqLt(start, rcvNxt)) {
      if (seg.flags.rst) {
        throw new SegmentRejectedError(endpoint, `RST with seq ${seg.seq}, expected ${rcvNxt}`);
      }
      if (seg.flags.fin && endpoint.peerFin && segmentEnd(seg) === rcvNxt) {
        duplicateFin = true; // a FIN again: our ACK of it was lost
      } else if (seqLe(segmentEnd(seg), rcvNxt)) {
        return {
          endpoint,
          sent: [segment(endpoint, {}, endpoint.sndNxt)],
          transitions: [],
          note: `duplicate segment seq ${seg.seq}: acknowledged again, otherwise ignored`,
        };
      } else {
        throw new SegmentRejectedError(endpoint, `seq ${seg.seq} overlaps data already received`);
      }
    }
    if (seg.flags.ack && seqLt(endpoint.sndNxt, seg.ack)) {
      throw new SegmentRejectedError(
        endpoint,
        `it acknowledges ${seg.ack}, but we have only sent up to ${endpoint.sndNxt}`,
      );
    }
  }

  const events = classifyArrival(endpoint, seg);
  let ep: Endpoint = endpoint;
  const transitions: Transition[] = [];
  const sends = new Set<string>();
  for (const event of events) {
    const found = rule(ep.state, event);
    const to = nextState(ep.state, event, { passive: ep.passive });
    transitions.push({ from: ep.state, event, to });
    if (found.send) sends.add(found.send);
    switch (event) {
      case TCP_EVENT.RCV_SYN:
        ep = { ...ep, irs: seg.seq, rcvNxt: seqAdd(seg.seq, 1) };
        if (ep.state === TCP_STATE.LISTEN) ep = { ...ep, sndNxt: seqAdd(ep.iss, 1) };
        break;
      case TCP_EVENT.RCV_SYN_ACK:
        ep = { ...ep, irs: seg.seq, rcvNxt: seqAdd(seg.seq, 1) };
        break;
      case TCP_EVENT.RCV_DATA:
        ep = {
          ...ep,
          rcvNxt: seqAdd(ep.rcvNxt!, seg.payloadLength),
          delivered: ep.delivered + seg.payloadLength,
        };
        break;
      case TCP_EVENT.RCV_FIN:
        if (!duplicateFin) ep = { ...ep, rcvNxt: seqAdd(ep.rcvNxt!, 1), peerFin: true };
        break;
    }
    ep = { ...ep, state: to };
  }
  if (seg.flags.ack && !seg.flags.rst && seqLt(ep.sndUna, seg.ack)) ep = { ...ep, sndUna: seg.ack };

  const sent: SegmentLike[] = [];
  if (sends.has("RST")) {
    // RFC 9293 3.10.7.1: the reset takes its numbers from the offending segment.
    sent.push(
      seg.flags.ack ? { ...segment(ep, { rst: true }, seg.ack), to: seg.from, from: seg.to } : {
        from: seg.to,
        to: seg.from,
        seq: 0,
        ack: segmentEnd(seg),
        flags: { ...NO_FLAGS, rst: true, ack: true },
        payloadLength: 0,
      },
    );
  } else if (sends.has("SYN,ACK")) {
    sent.push(segment(ep, { syn: true }, ep.iss));
  } else if (sends.has("ACK")) {
    sent.push(segment(ep, {}, ep.sndNxt));
  }
  return { endpoint: ep, sent, transitions };
}
