/**
 * Reading the `Received:` trace back against the recorded timeline.
 *
 * Each SMTP server that takes the message prepends one `Received:` line (RFC 5321 4.4)
 * naming itself (`by`), the client (`from`), its queue id (`id`) and the time. The same
 * id appears in its `250 ... queued as <id>` reply to DATA, which the wiretap recorded
 * at a precise moment on one connection. So each trace line can be pinned to a hop of
 * the timeline, and its stamped time checked against the clock of the recording.
 *
 * @module
 */

import { receivedLines } from "../smtp/received.ts";
import type { JourneyRecorder } from "./recorder.ts";

/** The parts of one `Received:` line the trace check uses. */
export interface ReceivedFields {
  /** The whole line, unfolded. */
  text: string;
  from: string;
  by: string;
  id: string;
  /** The date after the last ";", as a Date (second resolution). */
  date: Date;
}

/**
 * Take a `Received:` line's from, by, id and date apart (RFC 5321 4.4's
 * `Time-stamp-line`; Postfix adds comments such as "(Postfix)", which are skipped).
 *
 * @example
 * ```ts
 * import { parseReceived } from "./trace.ts";
 * const r = parseReceived("from a (localhost [127.0.0.1]) by b (Postfix) with ESMTP id 4X9 for <bob@b.test>; Sun, 29 Nov 2026 04:52:59 +0000 (UTC)");
 * if (r.by !== "b" || r.id !== "4X9" || r.date.getUTCSeconds() !== 59) throw new Error();
 * ```
 */
export function parseReceived(text: string): ReceivedFields {
  const semicolon = text.lastIndexOf(";");
  if (semicolon < 0) throw new Error(`Cannot parse Received line: no date after ";": ${text}`);
  const clauses = text.slice(0, semicolon);
  const field = (name: string) =>
    new RegExp(`(?:^|\\s)${name}\\s+([^\\s;]+)`, "i").exec(clauses)?.[1] ?? "";
  const date = new Date(text.slice(semicolon + 1).replace(/\([^)]*\)/g, "").trim());
  if (Number.isNaN(date.getTime())) {
    throw new Error(`Cannot parse Received line: bad date in ${text}`);
  }
  return { text, from: field("from"), by: field("by"), id: field("id"), date };
}

/** One hop of the trace, pinned to the recording. */
export interface TraceHop {
  /** 1 for the first server the message reached (the bottom `Received:` line). */
  hop: number;
  received: ReceivedFields;
  /** The connection whose `250 ... queued as <id>` carries this line's id. */
  connection: string | null;
  /** When the client on it said DATA (journey time, ms). */
  dataAt: number | null;
  /** When the 250 with this id crossed (journey time, ms). */
  acceptedAt: number | null;
  /** The stamp lies between DATA and the 250 on the recording's clock (to the second). */
  agrees: boolean;
}

/**
 * Pin each `Received:` line of `message` (bottom first: the order the message travelled)
 * to the connection where its id was announced, and check its stamped time.
 *
 * The stamp has whole seconds, so it agrees when DATA came before the end of its second
 * and the 250 after its start; `slackMs` allows for the clocks' rounding.
 */
export function traceAgainstTimeline(
  message: Uint8Array | string,
  recorder: JourneyRecorder,
  slackMs = 50,
): TraceHop[] {
  const lines = receivedLines(message).reverse();
  return lines.map((text, index) => {
    const received = parseReceived(text);
    let connection: string | null = null, dataAt: number | null = null;
    let acceptedAt: number | null = null;
    for (const c of recorder.connections) {
      if (c.protocol !== "SMTP") continue;
      const sent = c.transcript.lines();
      const accepted = sent.find((l) =>
        l.from === c.server && /^250[ -]/.test(l.text) && l.text.includes(received.id)
      );
      if (!accepted || !received.id) continue;
      connection = c.label;
      acceptedAt = accepted.at;
      dataAt = sent.find((l) => l.from === c.client && /^DATA$/i.test(l.text))?.at ?? null;
    }
    const stamp = received.date.getTime();
    const agrees = dataAt !== null && acceptedAt !== null &&
      recorder.wallClock(dataAt).getTime() < stamp + 1000 + slackMs &&
      recorder.wallClock(acceptedAt).getTime() > stamp - slackMs;
    return { hop: index + 1, received, connection, dataAt, acceptedAt, agrees };
  });
}
