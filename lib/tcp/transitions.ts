/**
 * The TCP state machine as a table: state × event → next state, and what is sent.
 *
 * The rows follow RFC 9293's Figure 5 (section 3.3.2) and the event processing of
 * section 3.10, where the figure is silent (RST, ABORT, retransmission, a second FIN,
 * data). Keeping the table as data lets the same rows drive the simulator, check a
 * captured connection, and draw the state diagram.
 *
 * @module
 */

import { TCP_STATE, type TcpState } from "./state.ts";

/**
 * What can happen to one endpoint. Names follow the RFC's figure: user calls in
 * lower case (`close`), arrivals as `rcv-…`, timers as `timeout-…`.
 */
export const TCP_EVENT = {
  /** RFC 9293 3.10.1: OPEN call, passive: wait for connections (`listen()`). */
  PASSIVE_OPEN: "passive-open",
  /** RFC 9293 3.10.1: OPEN call, active: send a SYN (`connect()`). */
  ACTIVE_OPEN: "active-open",
  /** RFC 9293 3.10.2: SEND call: data to transmit. */
  SEND: "send",
  /** RFC 9293 3.10.4: CLOSE call: "I have no more to send" (sends a FIN). */
  CLOSE: "close",
  /** RFC 9293 3.10.5: ABORT call: drop the connection now (sends a RST). */
  ABORT: "abort",
  /** RFC 9293 3.10.7.2-3: a SYN without ACK arrived. */
  RCV_SYN: "rcv-syn",
  /** RFC 9293 3.10.7.3: a SYN that acknowledges our SYN arrived. */
  RCV_SYN_ACK: "rcv-syn-ack",
  /** RFC 9293 3.10.7.4 (fifth, SYN-RECEIVED): an ACK covering our SYN arrived. */
  RCV_ACK_OF_SYN: "rcv-ack-of-syn",
  /** RFC 9293 3.10.7.4 (fifth): an ACK that acknowledges data only (or nothing new). */
  RCV_ACK: "rcv-ack",
  /** RFC 9293 3.10.7.4 (seventh): a segment carrying data arrived. */
  RCV_DATA: "rcv-data",
  /** RFC 9293 3.10.7.4 (fifth, FIN-WAIT-1, CLOSING, LAST-ACK): an ACK covering our FIN arrived. */
  RCV_ACK_OF_FIN: "rcv-ack-of-fin",
  /** RFC 9293 3.10.7.4 (eighth): a FIN arrived. */
  RCV_FIN: "rcv-fin",
  /** RFC 9293 3.10.7.4 (second): an acceptable RST arrived. */
  RCV_RST: "rcv-rst",
  /** RFC 9293 3.10.7.1: any non-RST segment arrived for a connection that does not exist. */
  RCV_SEGMENT: "rcv-segment",
  /** RFC 9293 3.10.8: the retransmission timer fired: send the unacknowledged segment again. */
  TIMEOUT_RTO: "timeout-rto",
  /** RFC 9293 3.10.8: the time-wait timer (2 × MSL) fired. */
  TIMEOUT_2MSL: "timeout-2msl",
} as const;

/** One of the events. */
export type TcpEvent = typeof TCP_EVENT[keyof typeof TCP_EVENT];

/** All events, in table order. */
export const TCP_EVENTS: readonly TcpEvent[] = Object.values(TCP_EVENT);

/** Whether `value` names an event. */
export function isTcpEvent(value: unknown): value is TcpEvent {
  return typeof value === "string" && (TCP_EVENTS as readonly string[]).includes(value);
}

/** What the endpoint sends on a transition (RFC figure's "snd …"). */
export type SendKind = "SYN" | "SYN,ACK" | "ACK" | "FIN" | "RST" | "data" | "again";

/** One row of the table. */
export interface TransitionRule {
  /** The next state. */
  to: TcpState;
  /** RFC 9293 Figure 5, note 1: after a RST, a passively opened SYN-RECEIVED goes back to LISTEN. */
  toIfPassive?: TcpState;
  /** What is sent, if anything. */
  send?: SendKind;
  /** Why, in a few words, with the RFC section. */
  note: string;
}

const S = TCP_STATE;
const E = TCP_EVENT;

/** Rows shared by every synchronized state: ABORT sends RST, an arriving RST closes. */
function resettable(abortSendsRst: boolean): Partial<Record<TcpEvent, TransitionRule>> {
  return {
    [E.ABORT]: abortSendsRst
      ? { to: S.CLOSED, send: "RST", note: "3.10.5: send RST, delete the TCB" }
      : { to: S.CLOSED, note: "3.10.5: delete the TCB, no RST needed" },
    [E.RCV_RST]: { to: S.CLOSED, note: "3.10.7.4: connection reset, delete the TCB" },
  };
}

/**
 * The table. A missing (state, event) pair is an invalid event in that state.
 * Self-loops (data, a repeated FIN) are rows too, so that every legal event is listed.
 */
export const TRANSITIONS: Readonly<
  Record<TcpState, Readonly<Partial<Record<TcpEvent, TransitionRule>>>>
> = {
  [S.CLOSED]: {
    [E.PASSIVE_OPEN]: { to: S.LISTEN, note: "3.10.1: create TCB, wait for a SYN" },
    [E.ACTIVE_OPEN]: { to: S.SYN_SENT, send: "SYN", note: "3.10.1: create TCB, send SYN" },
    [E.RCV_SEGMENT]: { to: S.CLOSED, send: "RST", note: "3.10.7.1: no such connection" },
    [E.RCV_RST]: { to: S.CLOSED, note: "3.10.7.1: a RST for nothing is discarded" },
  },
  [S.LISTEN]: {
    [E.RCV_SYN]: { to: S.SYN_RECEIVED, send: "SYN,ACK", note: "3.10.7.2: answer the SYN" },
    [E.CLOSE]: { to: S.CLOSED, note: "3.10.4: stop listening" },
    [E.ABORT]: { to: S.CLOSED, note: "3.10.5: stop listening" },
    [E.RCV_RST]: { to: S.LISTEN, note: "3.10.7.2: a RST is ignored" },
  },
  [S.SYN_SENT]: {
    [E.RCV_SYN_ACK]: { to: S.ESTABLISHED, send: "ACK", note: "3.10.7.3: our SYN is acked" },
    [E.RCV_SYN]: {
      to: S.SYN_RECEIVED,
      send: "SYN,ACK",
      note: "3.10.7.3: simultaneous open (RFC 9293 Figure 7)",
    },
    [E.CLOSE]: { to: S.CLOSED, note: "3.10.4: give up connecting" },
    [E.ABORT]: { to: S.CLOSED, note: "3.10.5: give up connecting" },
    [E.RCV_RST]: { to: S.CLOSED, note: "3.10.7.3: connection refused" },
    [E.TIMEOUT_RTO]: { to: S.SYN_SENT, send: "again", note: "3.8.1: send the SYN again" },
  },
  [S.SYN_RECEIVED]: {
    [E.RCV_ACK_OF_SYN]: { to: S.ESTABLISHED, note: "3.10.7.4: our SYN is acked" },
    [E.CLOSE]: { to: S.FIN_WAIT_1, send: "FIN", note: "3.10.4: send FIN" },
    [E.ABORT]: { to: S.CLOSED, send: "RST", note: "3.10.5: send RST" },
    [E.RCV_RST]: {
      to: S.CLOSED,
      toIfPassive: S.LISTEN,
      note: "3.10.7.4: back to LISTEN if opened passively (RFC 9293 Figure 5, note 1)",
    },
    [E.TIMEOUT_RTO]: { to: S.SYN_RECEIVED, send: "again", note: "3.8.1: send the SYN,ACK again" },
  },
  [S.ESTABLISHED]: {
    [E.SEND]: { to: S.ESTABLISHED, send: "data", note: "3.10.2: send data" },
    [E.RCV_DATA]: { to: S.ESTABLISHED, send: "ACK", note: "3.10.7.4: deliver, acknowledge" },
    [E.RCV_ACK]: { to: S.ESTABLISHED, note: "3.10.7.4: advance SND.UNA" },
    [E.CLOSE]: { to: S.FIN_WAIT_1, send: "FIN", note: "3.10.4: active close, send FIN" },
    [E.RCV_FIN]: { to: S.CLOSE_WAIT, send: "ACK", note: "3.10.7.4: passive close, ack the FIN" },
    [E.TIMEOUT_RTO]: { to: S.ESTABLISHED, send: "again", note: "3.8.1: send the data again" },
    ...resettable(true),
  },
  [S.FIN_WAIT_1]: {
    [E.RCV_ACK_OF_FIN]: { to: S.FIN_WAIT_2, note: "3.10.7.4: our FIN is acked" },
    [E.RCV_FIN]: { to: S.CLOSING, send: "ACK", note: "3.10.7.4: simultaneous close" },
    [E.RCV_DATA]: { to: S.FIN_WAIT_1, send: "ACK", note: "3.10.7.4: the peer may still send" },
    [E.RCV_ACK]: { to: S.FIN_WAIT_1, note: "3.10.7.4: acks data, not yet our FIN" },
    [E.TIMEOUT_RTO]: { to: S.FIN_WAIT_1, send: "again", note: "3.8.1: send the FIN again" },
    ...resettable(true),
  },
  [S.FIN_WAIT_2]: {
    [E.RCV_FIN]: { to: S.TIME_WAIT, send: "ACK", note: "3.10.7.4: ack the FIN, start 2MSL" },
    [E.RCV_DATA]: { to: S.FIN_WAIT_2, send: "ACK", note: "3.10.7.4: half-close: data still comes" },
    [E.RCV_ACK]: { to: S.FIN_WAIT_2, note: "3.10.7.4: nothing to do" },
    ...resettable(true),
  },
  [S.CLOSE_WAIT]: {
    [E.SEND]: { to: S.CLOSE_WAIT, send: "data", note: "3.10.2: half-close: we may still send" },
    [E.RCV_ACK]: { to: S.CLOSE_WAIT, note: "3.10.7.4: advance SND.UNA" },
    [E.RCV_FIN]: { to: S.CLOSE_WAIT, send: "ACK", note: "3.10.7.4: a repeated FIN, ack again" },
    [E.CLOSE]: { to: S.LAST_ACK, send: "FIN", note: "3.10.4: send our FIN" },
    [E.TIMEOUT_RTO]: { to: S.CLOSE_WAIT, send: "again", note: "3.8.1: send the data again" },
    ...resettable(true),
  },
  [S.CLOSING]: {
    [E.RCV_ACK_OF_FIN]: { to: S.TIME_WAIT, note: "3.10.7.4: our FIN is acked, start 2MSL" },
    [E.RCV_FIN]: { to: S.CLOSING, send: "ACK", note: "3.10.7.4: a repeated FIN, ack again" },
    [E.RCV_ACK]: { to: S.CLOSING, note: "3.10.7.4: not yet our FIN" },
    [E.TIMEOUT_RTO]: { to: S.CLOSING, send: "again", note: "3.8.1: send the FIN again" },
    ...resettable(false),
  },
  [S.LAST_ACK]: {
    [E.RCV_ACK_OF_FIN]: { to: S.CLOSED, note: "3.10.7.4: our FIN is acked, delete the TCB" },
    [E.RCV_FIN]: { to: S.LAST_ACK, send: "ACK", note: "3.10.7.4: a repeated FIN, ack again" },
    [E.RCV_ACK]: { to: S.LAST_ACK, note: "3.10.7.4: not yet our FIN" },
    [E.TIMEOUT_RTO]: { to: S.LAST_ACK, send: "again", note: "3.8.1: send the FIN again" },
    ...resettable(false),
  },
  [S.TIME_WAIT]: {
    [E.TIMEOUT_2MSL]: { to: S.CLOSED, note: "3.10.8: 2 MSL passed, delete the TCB" },
    [E.RCV_FIN]: {
      to: S.TIME_WAIT,
      send: "ACK",
      note: "3.10.7.4: our last ACK was lost, ack again, restart 2MSL",
    },
    [E.RCV_ACK]: { to: S.TIME_WAIT, note: "3.10.7.4: nothing to do" },
    ...resettable(false),
  },
};

/** An event that the table has no row for in this state. */
export class InvalidEventError extends Error {
  readonly state: TcpState;
  readonly event: string;
  constructor(state: TcpState, event: string, why?: string) {
    const allowed = Object.keys(TRANSITIONS[state] ?? {}).join(", ");
    super(
      `Invalid event ${event} in state ${state}` + (why ? `: ${why}` : "") +
        ` (allowed: ${allowed || "none"})`,
    );
    this.name = "InvalidEventError";
    this.state = state;
    this.event = event;
  }
}

/**
 * The table's row for (state, event).
 *
 * @throws {InvalidEventError} naming the state and the event when there is no row.
 *
 * @example
 * ```ts
 * import { rule } from "./transitions.ts";
 * if (rule("LISTEN", "rcv-syn").send !== "SYN,ACK") throw new Error("unexpected");
 * ```
 */
export function rule(state: TcpState, event: TcpEvent | string): TransitionRule {
  const row = TRANSITIONS[state];
  if (!row) throw new TypeError(`Unknown TCP state: ${JSON.stringify(state)}`);
  const found = isTcpEvent(event) ? row[event] : undefined;
  if (!found) throw new InvalidEventError(state, String(event));
  return found;
}

/**
 * The next state after `event` in `state`, a pure lookup in {@linkcode TRANSITIONS}.
 *
 * @example The active closer's path
 * ```ts
 * import { nextState } from "./transitions.ts";
 * let s = nextState("ESTABLISHED", "close");  // FIN-WAIT-1
 * s = nextState(s, "rcv-ack-of-fin");          // FIN-WAIT-2
 * s = nextState(s, "rcv-fin");                 // TIME-WAIT
 * if (s !== "TIME-WAIT") throw new Error(s);
 * ```
 */
export function nextState(
  state: TcpState,
  event: TcpEvent | string,
  options: { passive?: boolean } = {},
): TcpState {
  const found = rule(state, event);
  return options.passive && found.toIfPassive ? found.toIfPassive : found.to;
}

/** Every row as a flat list: `{ from, event, to, send }`, for diagrams and checks. */
export function transitionList(): {
  from: TcpState;
  event: TcpEvent;
  to: TcpState;
  send?: SendKind;
}[] {
  const out = [];
  for (
    const [from, row] of Object.entries(TRANSITIONS) as [TcpState, typeof TRANSITIONS[TcpState]][]
  ) {
    for (const [event, r] of Object.entries(row) as [TcpEvent, TransitionRule][]) {
      out.push({ from, event, to: r.to, send: r.send });
      if (r.toIfPassive) out.push({ from, event, to: r.toIfPassive, send: r.send });
    }
  }
  return out;
}
