/**
 * Two endpoints and the network between them.
 *
 * The simulator holds a client and a server endpoint and a queue of segments in
 * flight. User calls put segments in flight; `deliver()` hands the oldest one to its
 * receiver (whose answer goes in flight in turn); `drop()` loses one. Holding segments
 * in flight is how the crossing cases happen: both SYNs in flight at once is a
 * simultaneous open, both FINs a simultaneous close.
 *
 * @module
 */

import {
  createEndpoint,
  type Endpoint,
  step,
  type StepInput,
  type Transition,
} from "./endpoint.ts";
import type { SegmentLike } from "./segment.ts";
import type { TcpState } from "./state.ts";

/** The two ends. */
export type Side = "client" | "server";

/** A segment as the simulator logged it. */
export interface SimSegment extends SegmentLike {
  /** Order in which it was sent, from 0. */
  index: number;
  /** What became of it. */
  fate: "in flight" | "delivered" | "dropped";
}

/** A transition, with the side that took it. */
export interface SimTransition extends Transition {
  side: Side;
  /** How many segments had been sent when it happened (for placing it in a diagram). */
  at: number;
}

/** Options for {@linkcode TcpSimulator}. */
export interface SimulatorOptions {
  /** Client's initial sequence number (random when omitted). */
  clientIsn?: number;
  /** Server's initial sequence number (random when omitted). */
  serverIsn?: number;
}

/** Options for a user call. */
export interface CallOptions {
  /**
   * Delayed ACK (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2): if this side's last segment is a
   * pure ACK still in flight, withdraw it and let its acknowledgment ride on the new
   * segment. With `close` this makes the three-segment teardown (FIN and ACK together).
   */
  piggyback?: boolean;
}

/**
 * A client and a server, and the segments between them.
 *
 * @example Open and close
 * ```ts
 * import { TcpSimulator } from "./simulator.ts";
 * const sim = new TcpSimulator({ clientIsn: 100, serverIsn: 300 });
 * sim.call("server", "passive-open");
 * sim.call("client", "active-open");
 * sim.deliverAll();
 * sim.call("client", "close");
 * sim.deliverAll();
 * sim.call("server", "close");
 * sim.deliverAll();
 * if (sim.state("client") !== "TIME-WAIT" || sim.state("server") !== "CLOSED") throw new Error();
 * ```
 */
export class TcpSimulator {
  readonly #endpoints: Record<Side, Endpoint>;
  readonly #log: SimSegment[] = [];
  readonly #transitions: SimTransition[] = [];
  #inFlight: SimSegment[] = [];

  constructor(options: SimulatorOptions = {}) {
    this.#endpoints = {
      client: createEndpoint("client", "server", options.clientIsn),
      server: createEndpoint("server", "client", options.serverIsn),
    };
  }

  /** The endpoint of one side, as it is now. */
  endpoint(side: Side): Endpoint {
    return this.#endpoints[side];
  }

  /** The state of one side. */
  state(side: Side): TcpState {
    return this.#endpoints[side].state;
  }

  /** Every segment sent so far, in order, with its fate. */
  get segments(): readonly SimSegment[] {
    return this.#log;
  }

  /** Segments sent and not yet delivered or dropped, oldest first. */
  get inFlight(): readonly SimSegment[] {
    return this.#inFlight;
  }

  /** Every transition taken, by either side, in order. */
  get transitions(): readonly SimTransition[] {
    return this.#transitions;
  }

  /** The states one side went through, starting at CLOSED (self-loops left out). */
  path(side: Side): TcpState[] {
    const path: TcpState[] = ["CLOSED"];
    for (const t of this.#transitions) {
      if (t.side === side && t.to !== path.at(-1)) path.push(t.to);
    }
    return path;
  }

  /**
   * A user call or timer at one side: `"active-open"`, `"close"`, `{ send: 100 }`...
   * Returns the segments it sent (now in flight).
   */
  call(
    side: Side,
    input: Exclude<StepInput, { segment: SegmentLike }>,
    options: CallOptions = {},
  ): SimSegment[] {
    const result = step(this.#endpoints[side], input);
    let sent = result.sent;
    if (options.piggyback) sent = this.#piggyback(side, sent);
    return this.#apply(side, result.endpoint, result.transitions, sent);
  }

  /**
   * Deliver the oldest segment in flight (or the oldest sent by `from`).
   * Returns what the receiver sent in answer.
   *
   * @throws {Error} when nothing is in flight.
   */
  deliver(from?: Side): SimSegment[] {
    const segment = this.#take(from, "deliver");
    segment.fate = "delivered";
    const side = segment.to as Side;
    const result = step(this.#endpoints[side], { segment });
    return this.#apply(side, result.endpoint, result.transitions, result.sent);
  }

  /** Deliver until nothing is in flight (at most `limit` segments, to stop runaway loops). */
  deliverAll(limit = 100): void {
    for (let i = 0; this.#inFlight.length > 0; i++) {
      if (i >= limit) {
        throw new Error(
          `Cannot settle: still ${this.#inFlight.length} segments in flight after ${limit}`,
        );
      }
      this.deliver();
    }
  }

  /** Lose the oldest segment in flight (or the oldest sent by `from`). Returns it. */
  drop(from?: Side): SimSegment {
    const segment = this.#take(from, "drop");
    segment.fate = "dropped";
    return segment;
  }

  #take(from: Side | undefined, action: string): SimSegment {
    const at = this.#inFlight.findIndex((s) => from === undefined || s.from === from);
    if (at < 0) {
      throw new Error(`Cannot ${action}: no segment in flight${from ? ` from ${from}` : ""}`);
    }
    const [segment] = this.#inFlight.splice(at, 1);
    return segment;
  }

  #piggyback(side: Side, sent: SegmentLike[]): SegmentLike[] {
    const last = this.#inFlight.findLast((s) => s.from === side);
    const pureAck = last && last.flags.ack && !last.flags.syn && !last.flags.fin &&
      !last.flags.rst && last.payloadLength === 0;
    if (!pureAck || sent.length === 0) return sent;
    // The ACK never left: take it off the wire and out of the log.
    this.#inFlight = this.#inFlight.filter((s) => s !== last);
    this.#log.splice(this.#log.indexOf(last), 1);
    this.#log.forEach((s, i) => s.index = i);
    return sent;
  }

  #apply(
    side: Side,
    endpoint: Endpoint,
    transitions: Transition[],
    sent: SegmentLike[],
  ): SimSegment[] {
    this.#endpoints[side] = endpoint;
    for (const t of transitions) this.#transitions.push({ ...t, side, at: this.#log.length });
    const logged: SimSegment[] = sent.map((s, i) => ({
      ...s,
      index: this.#log.length + i,
      fate: "in flight",
    }));
    this.#log.push(...logged);
    this.#inFlight.push(...logged);
    return logged;
  }
}
