/**
 * The states of a TCP connection, as RFC 9293 names them.
 *
 * One endpoint of a connection is in exactly one of these states at a time (RFC 9293
 * 3.3.2). Tools print them with underscores (`ss` shows `TIME-WAIT`, `/proc/net/tcp`
 * numbers them, Linux's source says `TCP_FIN_WAIT1`); the course uses the RFC's spelling.
 *
 * @module
 */

/** Every TCP state, each annotated with the RFC 9293 section that defines what it means. */
export const TCP_STATE = {
  /** RFC 9293 3.3.2: no connection at all (a fictional state: there is no TCB). */
  CLOSED: "CLOSED",
  /** RFC 9293 3.3.2: waiting for a connection request (a server after `listen()`). */
  LISTEN: "LISTEN",
  /** RFC 9293 3.3.2: sent a SYN, waiting for the matching SYN (a client after `connect()`). */
  SYN_SENT: "SYN-SENT",
  /** RFC 9293 3.3.2: received a SYN and sent one, waiting for the ACK of ours. */
  SYN_RECEIVED: "SYN-RECEIVED",
  /** RFC 9293 3.3.2: the handshake is done; data flows both ways. */
  ESTABLISHED: "ESTABLISHED",
  /** RFC 9293 3.3.2: we sent a FIN, waiting for its ACK (or for the peer's FIN). */
  FIN_WAIT_1: "FIN-WAIT-1",
  /** RFC 9293 3.3.2: our FIN is acknowledged; waiting for the peer's FIN. The peer may still send data. */
  FIN_WAIT_2: "FIN-WAIT-2",
  /** RFC 9293 3.3.2: the peer sent a FIN; waiting for our own application to close. We may still send data. */
  CLOSE_WAIT: "CLOSE-WAIT",
  /** RFC 9293 3.3.2: both sides sent FINs at once; waiting for the ACK of ours. */
  CLOSING: "CLOSING",
  /** RFC 9293 3.3.2: the peer closed first, we sent our FIN; waiting for its ACK. */
  LAST_ACK: "LAST-ACK",
  /** RFC 9293 3.3.2 and 3.6: we closed first and saw both FINs acknowledged; wait 2 MSL before forgetting the connection. */
  TIME_WAIT: "TIME-WAIT",
} as const;

/** One of the eleven states. */
export type TcpState = typeof TCP_STATE[keyof typeof TCP_STATE];

/** All states, in the order RFC 9293 3.3.2 lists them. */
export const TCP_STATES: readonly TcpState[] = Object.values(TCP_STATE);

/**
 * Whether `value` names a TCP state (RFC spelling).
 *
 * @example
 * ```ts
 * import { isTcpState } from "./state.ts";
 * if (!isTcpState("TIME-WAIT") || isTcpState("TIME_WAIT")) throw new Error("unexpected");
 * ```
 */
export function isTcpState(value: unknown): value is TcpState {
  return typeof value === "string" && (TCP_STATES as readonly string[]).includes(value);
}

/**
 * States in which both sequence numbers are known (RFC 9293 3.5: "synchronized"):
 * here a wrong segment earns an ACK or a RST, and ABORT sends a RST.
 */
export const SYNCHRONIZED_STATES: readonly TcpState[] = [
  TCP_STATE.ESTABLISHED,
  TCP_STATE.FIN_WAIT_1,
  TCP_STATE.FIN_WAIT_2,
  TCP_STATE.CLOSE_WAIT,
  TCP_STATE.CLOSING,
  TCP_STATE.LAST_ACK,
  TCP_STATE.TIME_WAIT,
];
