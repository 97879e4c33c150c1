/**
 * Exercise: number a TCP trace (RFC 9293 3.4).
 *
 * You get each side's initial sequence number (ISN) and the segments of one connection
 * in the order they were sent: who sent it, its flags, and how many data bytes it
 * carries. Every segment arrives before the next one is sent. Fill in each segment's
 * seq and ack, the way a real TCP would:
 *
 * - a side's first segment (its SYN) carries seq = its ISN, which is a random 32-bit
 *   number, not 0;
 * - each later segment from that side carries seq = the first sequence number it has
 *   not used yet;
 * - data bytes use one sequence number each, and so do SYN and FIN (one each), but a
 *   pure ACK uses none;
 * - ack = the next sequence number the sender expects from the other side (everything
 *   the other side has used so far, plus one past it). It is not "the seq you last
 *   received", whatever the notes say. Without the ACK flag there is no ack: use null;
 * - all of this is modulo 2^32: after 4294967295 comes 0.
 *
 * Check your work with `deno task grade 02_tcp`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One segment of the trace, as sent. */
export interface TraceStep {
  from: "client" | "server";
  syn: boolean;
  ack: boolean;
  fin: boolean;
  /** Data bytes carried. */
  payloadLength: number;
}

/** The numbers you fill in for one segment. */
export interface Numbers {
  seq: number;
  /** The ack, or null when the ACK flag is not set. */
  ack: number | null;
}

/** Each segment's seq and ack, in the order of `steps`. */
export function numberTrace(
  clientIsn: number,
  serverIsn: number,
  steps: readonly TraceStep[],
): Numbers[] {
  // TODO: keep, for each side, the next sequence number it has not used yet (start: its ISN).
  // TODO: for each step: seq = sender's next; ack = the other side's next (or null);
  //       then advance the sender's next by payloadLength, +1 for SYN, +1 for FIN, modulo 2^32.
  throw todo(
    `numberTrace(): number ${steps.length} segments from ISNs ${clientIsn} and ${serverIsn}`,
  );
}
