/**
 * Exercise: the closing half of TCP's state machine (RFC 9293 3.3.2, Figure 5, and
 * 3.10.7.4).
 *
 * Write the next-state function for the states a connection passes through while it
 * closes. The events are:
 *
 * - `"close"`: our application calls close(): we send a FIN;
 * - `"rcv-fin"`: the peer's FIN arrives (we answer with an ACK);
 * - `"rcv-ack-of-fin"`: an ACK that covers our FIN arrives;
 * - `"timeout-2msl"`: the TIME-WAIT timer (2 × MSL) fires.
 *
 * Each state allows only some of them. Find the arrows in RFC 9293 Figure 5:
 * ESTABLISHED (close, rcv-fin), FIN-WAIT-1 (rcv-ack-of-fin, rcv-fin), FIN-WAIT-2
 * (rcv-fin), CLOSE-WAIT (close), CLOSING (rcv-ack-of-fin), LAST-ACK (rcv-ack-of-fin),
 * TIME-WAIT (timeout-2msl; and a rcv-fin here means our last ACK was lost: ack again and
 * stay). For any other pair, throw an Error whose message names both the state and the
 * event, e.g. "Invalid event close in state FIN-WAIT-2".
 *
 * Two questions to keep in mind: which side passes through FIN-WAIT-2, and which side
 * (only one, unless both close at once) ends in TIME-WAIT?
 *
 * Check your work with `deno task grade 02_tcp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import type { TcpState } from "../../lib/tcp/state.ts";

/** The states of the closing half. */
export type ClosingState =
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSE-WAIT"
  | "CLOSING"
  | "LAST-ACK"
  | "TIME-WAIT";

/** The events of the closing half. */
export type ClosingEvent = "close" | "rcv-fin" | "rcv-ack-of-fin" | "timeout-2msl";

/**
 * The state after `event` in `state`.
 *
 * @throws {Error} naming the state and the event, when the event is not allowed there.
 */
export function closingNextState(state: ClosingState, event: ClosingEvent): TcpState {
  // TODO: one case per state; inside, one answer per allowed event (see the list above).
  // TODO: for anything else, throw new Error(`Invalid event ${event} in state ${state}`).
  throw todo(`closingNextState(): ${state} on ${event}`);
}
