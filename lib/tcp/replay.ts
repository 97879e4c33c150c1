/**
 * Replay a captured connection through the state table.
 *
 * A capture shows segments, not states. Replaying infers the states: every segment is
 * something its sender did (a SYN from CLOSED is an active open, a new FIN is a close, a
 * RST an abort) and something its receiver reacted to (classified as in
 * {@linkcode classifyArrival}). The same walk checks the arithmetic of every segment:
 * its seq must be the next number its sender has not used yet, and its ack at most the
 * next number the other side has not used yet (RFC 9293 3.4).
 *
 * Limits, said plainly: a capture is taken at one point, so a segment counts as
 * received when captured; the side that sends no SYN is assumed to have been in LISTEN
 * before the capture started; TIME-WAIT's 2 MSL timer is not on the wire.
 *
 * @module
 */

import { classifyArrival } from "./classify.ts";
import { segmentEnd, segmentLength, type SegmentLike } from "./segment.ts";
import { seqAdd, seqDiff, seqLt } from "./seq.ts";
import { TCP_STATE, type TcpState } from "./state.ts";
import { InvalidEventError, nextState, TCP_EVENT, type TcpEvent } from "./transitions.ts";

/** What the replay found about one segment's numbers. */
export interface SegmentCheck {
  /** Position in the list given to {@linkcode replayConnection}. */
  position: number;
  from: string;
  seq: number;
  /** The seq the arithmetic predicts (the sender's next unused number). */
  expectedSeq: number;
  /** The ack carried, or null without the ACK flag. */
  ack: number | null;
  /** The ack the arithmetic predicts (the other side's next unused number), or null. */
  expectedAck: number | null;
  /** False when the numbers break the rules; `note` says how. */
  ok: boolean;
  /** Why it is unusual (retransmission, delayed ack) or wrong. */
  note?: string;
}

/** One inferred transition. */
export interface ReplayTransition {
  position: number;
  side: string;
  from: TcpState;
  event: TcpEvent;
  to: TcpState;
}

/** Everything the replay inferred. */
export interface ReplayResult {
  /** The side that sent the first SYN (or the first segment). */
  client: string;
  server: string;
  /** Initial sequence numbers, where a SYN was seen. */
  isn: Record<string, number | undefined>;
  /** States each side went through, starting at CLOSED. */
  paths: Record<string, TcpState[]>;
  transitions: ReplayTransition[];
  checks: SegmentCheck[];
  /** Checks that failed. */
  mismatches: SegmentCheck[];
  /** Events the state table does not allow where they happened. */
  problems: string[];
}

interface Side {
  name: string;
  state: TcpState;
  passive: boolean;
  iss?: number;
  /** Next sequence number this side has not used. */
  sndNxt?: number;
  /** Highest ack this side has received (its SND.UNA). */
  sndUna?: number;
  /** Highest ack this side has sent. */
  lastAck?: number;
  finSeq?: number;
  path: TcpState[];
}

/**
 * Infer each side's states and check every segment's seq and ack.
 *
 * @throws {Error} when the segments belong to more than one connection (use
 *   {@linkcode splitConnections} first) or the list is empty.
 *
 * @example
 * ```ts
 * import { runScenario } from "./scenarios.ts";
 * import { replayConnection } from "./replay.ts";
 * const sim = runScenario("four-segment-close");
 * const replay = replayConnection(sim.segments);
 * if (replay.paths.client.join(">") !== sim.path("client").slice(0, -1).join(">")) throw new Error();
 * if (replay.mismatches.length) throw new Error("unexpected");
 * ```
 */
export function replayConnection(segments: readonly SegmentLike[]): ReplayResult {
  if (segments.length === 0) throw new Error("Cannot replay: no segments");
  const first = segments.find((s) => s.flags.syn && !s.flags.ack) ?? segments[0];
  const client = first.from, server = first.to;
  for (const [i, s] of segments.entries()) {
    const pair = [s.from, s.to].sort().join(" ");
    if (pair !== [client, server].sort().join(" ")) {
      throw new Error(
        `Cannot replay: segment ${i} (${s.from} → ${s.to}) is not between ${client} and ${server}; split the connections first`,
      );
    }
  }
  const sides: Record<string, Side> = {
    [client]: { name: client, state: TCP_STATE.CLOSED, passive: false, path: [TCP_STATE.CLOSED] },
    [server]: { name: server, state: TCP_STATE.CLOSED, passive: false, path: [TCP_STATE.CLOSED] },
  };
  const transitions: ReplayTransition[] = [];
  const problems: string[] = [];
  const checks: SegmentCheck[] = [];

  const apply = (side: Side, event: TcpEvent, position: number) => {
    try {
      const to = nextState(side.state, event, { passive: side.passive });
      transitions.push({ position, side: side.name, from: side.state, event, to });
      if (event === TCP_EVENT.PASSIVE_OPEN) side.passive = true;
      side.state = to;
      if (side.path.at(-1) !== to) side.path.push(to);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      problems.push(`segment ${position}: ${side.name}: ${error.message}`);
    }
  };
  if (first.flags.syn && !first.flags.ack) apply(sides[server], TCP_EVENT.PASSIVE_OPEN, -1);

  segments.forEach((seg, position) => {
    const sender = sides[seg.from], receiver = sides[seg.to];
    checks.push(checkNumbers(seg, position, sender, receiver));

    // What the sender did.
    const isNew = sender.sndNxt === undefined || !seqLt(seg.seq, sender.sndNxt);
    if (seg.flags.syn && !seg.flags.ack && sender.state === TCP_STATE.CLOSED) {
      apply(sender, TCP_EVENT.ACTIVE_OPEN, position);
    }
    if (seg.flags.syn) sender.iss ??= seg.seq;
    if (seg.flags.fin && isNew) {
      sender.finSeq = seqAdd(seg.seq, seg.payloadLength);
      apply(sender, TCP_EVENT.CLOSE, position);
    }
    if (seg.flags.rst && sender.state !== TCP_STATE.CLOSED) {
      apply(sender, TCP_EVENT.ABORT, position);
    }
    const end = segmentEnd(seg);
    if (sender.sndNxt === undefined || seqLt(sender.sndNxt, end)) sender.sndNxt = end;
    if (seg.flags.ack) sender.lastAck = seg.ack;

    // What the receiver made of it.
    const events = classifyArrival(receiver, seg)
      .filter((e) => !(e === TCP_EVENT.RCV_SEGMENT && receiver.path.length > 1));
    for (const event of events) apply(receiver, event, position);
    if (seg.flags.ack && (receiver.sndUna === undefined || seqLt(receiver.sndUna, seg.ack))) {
      receiver.sndUna = seg.ack;
    }
  });

  const mismatches = checks.filter((c) => !c.ok);
  return {
    client,
    server,
    isn: { [client]: sides[client].iss, [server]: sides[server].iss },
    paths: { [client]: sides[client].path, [server]: sides[server].path },
    transitions,
    checks,
    mismatches,
    problems,
  };
}

function checkNumbers(
  seg: SegmentLike,
  position: number,
  sender: Side,
  receiver: Side,
): SegmentCheck {
  const expectedSeq = sender.sndNxt ?? seg.seq;
  const expectedAck = seg.flags.ack ? (receiver.sndNxt ?? seg.ack) : null;
  const check: SegmentCheck = {
    position,
    from: seg.from,
    seq: seg.seq,
    expectedSeq,
    ack: seg.flags.ack ? seg.ack : null,
    expectedAck,
    ok: true,
  };
  const notes: string[] = [];
  const seqOff = seqDiff(seg.seq, expectedSeq);
  if (seqOff < 0) {
    if (seqDiff(segmentEnd(seg), expectedSeq) <= 0 && segmentLength(seg) > 0) {
      notes.push("retransmission: these numbers were sent before");
    } else {
      check.ok = false;
      notes.push(
        `seq ${seg.seq} is ${-seqOff} behind the next unused number ${expectedSeq}` +
          (segmentLength(seg) <= 1 && seqOff === -1 ? " (a keep-alive probe looks like this)" : ""),
      );
    }
  } else if (seqOff > 0) {
    check.ok = false;
    notes.push(
      `seq ${seg.seq} skips ${seqOff} numbers after ${expectedSeq} (lost from the capture, or wrong arithmetic)`,
    );
  }
  if (expectedAck !== null) {
    const ackOff = seqDiff(seg.ack, expectedAck);
    if (ackOff > 0) {
      check.ok = false;
      notes.push(
        `ack ${seg.ack} acknowledges ${ackOff} numbers the other side never sent (expected at most ${expectedAck})`,
      );
    } else if (sender.lastAck !== undefined && seqLt(seg.ack, sender.lastAck)) {
      check.ok = false;
      notes.push(`ack ${seg.ack} went backwards (earlier ack ${sender.lastAck})`);
    } else if (ackOff < 0) {
      notes.push(
        `acknowledges up to ${seg.ack}: ${-ackOff} numbers in flight not yet acknowledged`,
      );
    }
  }
  if (notes.length) check.note = notes.join("; ");
  return check;
}

/**
 * Group segments by connection (the same address pair both ways; a new SYN without
 * ACK on a pair seen before starts a new connection), in order of first appearance.
 *
 * @example
 * ```ts
 * import { splitConnections } from "./replay.ts";
 * const f = { syn: true, ack: false, fin: false, rst: false };
 * const s = (from: string, to: string) => ({ from, to, seq: 1, ack: 0, flags: f, payloadLength: 0 });
 * if (splitConnections([s("a", "b"), s("c", "d")]).length !== 2) throw new Error();
 * ```
 */
export function splitConnections<T extends SegmentLike>(segments: readonly T[]): T[][] {
  const open = new Map<string, T[]>();
  const all: T[][] = [];
  for (const s of segments) {
    const key = [s.from, s.to].sort().join(" ");
    let group = open.get(key);
    const freshSyn = s.flags.syn && !s.flags.ack;
    if (
      !group ||
      (freshSyn &&
        group.some((g) => g.flags.syn && !g.flags.ack && g.from === s.from && g.seq !== s.seq))
    ) {
      group = [];
      open.set(key, group);
      all.push(group);
    }
    group.push(s);
  }
  return all;
}
