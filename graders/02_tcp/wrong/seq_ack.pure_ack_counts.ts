// Mistake: counts a pure ACK (no data, no SYN, no FIN) as one sequence number.
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
  // The next sequence number each side has not used yet: SND.NXT.
  const next = { client: clientIsn, server: serverIsn };
  return steps.map((step) => {
    const other = step.from === "client" ? "server" : "client";
    const numbers = { seq: next[step.from], ack: step.ack ? next[other] : null };
    // SEG.LEN: data, plus one for SYN and one for FIN.
    const length = Math.max(1, step.payloadLength + (step.syn ? 1 : 0) + (step.fin ? 1 : 0));
    next[step.from] = (next[step.from] + length) % 2 ** 32;
    return numbers;
  });
}
