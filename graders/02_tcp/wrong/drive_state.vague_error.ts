// Mistake: throws an error that names neither the state nor the event.
import type { TcpState } from "../../../lib/tcp/state.ts";

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

const TABLE: Record<ClosingState, Partial<Record<ClosingEvent, TcpState>>> = {
  "ESTABLISHED": { "close": "FIN-WAIT-1", "rcv-fin": "CLOSE-WAIT" },
  "FIN-WAIT-1": { "rcv-ack-of-fin": "FIN-WAIT-2", "rcv-fin": "CLOSING" },
  "FIN-WAIT-2": { "rcv-fin": "TIME-WAIT" },
  "CLOSE-WAIT": { "close": "LAST-ACK" },
  "CLOSING": { "rcv-ack-of-fin": "TIME-WAIT" },
  "LAST-ACK": { "rcv-ack-of-fin": "CLOSED" },
  "TIME-WAIT": { "timeout-2msl": "CLOSED", "rcv-fin": "TIME-WAIT" },
};

/**
 * The state after `event` in `state`.
 *
 * @throws {Error} naming the state and the event, when the event is not allowed there.
 */
export function closingNextState(state: ClosingState, event: ClosingEvent): TcpState {
  const next = TABLE[state]?.[event];
  if (!next) throw new Error("Invalid transition");
  return next;
}
