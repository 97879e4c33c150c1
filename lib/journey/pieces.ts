/**
 * The journey's pieces: the parts of the chain a learner can replace with their own.
 *
 * Each slot has the signature of a graded exercise, so a learner's solution plugs in as
 * it is (chapter 6's exercise does exactly that). Empty slots are filled with the
 * course's own code, through the same signatures:
 *
 * | slot           | exercise                   | where the journey uses it                           |
 * | -------------- | -------------------------- | --------------------------------------------------- |
 * | `deliver`      | `03_smtp/mini_client`      | smtp.a.test's SMTP client on the MX hop             |
 * | `nextStep`     | `03_smtp/mx_choice`        | smtp.a.test choosing b.test's exchange, with fallback |
 * | `readMultiline`| `04_pop3/multiline`        | Bob's POP3 client reading UIDL and RETR             |
 * | `splitFrames`  | `05_imap/literals`         | Bob's IMAP client reading responses and the literal |
 *
 * A new slot is one more optional field here and one call site in the journey.
 *
 * @module
 */

import { SmtpClient } from "../smtp/client.ts";
import { nextHops } from "../smtp/mx.ts";
import { replyText } from "../smtp/reply.ts";

/** Chapter 3: deliver one message to one recipient through the SMTP server on `port`. */
export type DeliverPiece = (
  port: number,
  from: string,
  to: string,
  message: string,
) => Promise<string>;

/** One MX record (RFC 1035 3.3.9): lower preference is tried first. */
export interface MxRecord {
  preference: number;
  exchange: string;
}

/** What one delivery attempt to one exchange came to. */
export type AttemptOutcome = "delivered" | "down" | "deferred" | "refused";

/** One attempt already made, and what came of it. */
export interface Attempt {
  exchange: string;
  outcome: AttemptOutcome;
}

/** What to do next: try this exchange, or stop with this outcome. */
export type NextStep = { exchange: string } | { outcome: "delivered" | "deferred" | "refused" };

/**
 * Chapter 3: after the attempts so far, the next exchange of `domain` to try, by
 * preference with fallback (RFC 5321 5.1), or the final outcome. A pure decision: the
 * relay does the sending, so a learner's piece never needs a callback.
 */
export type NextStepPiece = (
  domain: string,
  records: readonly MxRecord[],
  attempts: readonly Attempt[],
  self?: string,
) => NextStep;

/** Chapter 4: split one multi-line POP3 response off received lines, un-stuffed. */
export type ReadMultilinePiece = (
  lines: string[],
) => { status: string; body: string[]; rest: string[] };

/** Chapter 5: split received IMAP bytes into complete responses (lines and literals). */
export type SplitFramesPiece = (
  wire: Uint8Array,
) => { lines: string[]; literals: Uint8Array[] }[];

/** Every slot. */
export interface JourneyPieces {
  deliver: DeliverPiece;
  nextStep: NextStepPiece;
  readMultiline: ReadMultilinePiece;
  /** Null: the course's FrameReader reads IMAP responses straight off the socket. */
  splitFrames: SplitFramesPiece | null;
}

/** The course's `deliver`: lib/smtp's client, one transaction. */
export const courseDeliver: DeliverPiece = async (port, from, to, message) => {
  await using client = await SmtpClient.connect(port, { timeoutMs: 10_000 });
  await client.ehlo("smtp.a.test");
  const result = await client.send({ from, to: [to], data: message });
  await client.quit().catch(() => {});
  if (result.rejected.length) {
    throw new Error(`RCPT refused: ${replyText(result.rejected[0].reply)}`);
  }
  return replyText(result.reply);
};

/** The course's MX walk: lib/smtp's `nextHops` order; a 5yz or a delivery ends it. */
export const courseNextStep: NextStepPiece = (domain, records, attempts, self) => {
  const last = attempts.at(-1);
  if (last?.outcome === "delivered" || last?.outcome === "refused") {
    return { outcome: last.outcome };
  }
  const table = records.length ? { [domain]: records } : {};
  const tried = new Set(attempts.map((a) => a.exchange));
  const next = nextHops(table, domain, self).find((hop) => !tried.has(hop.exchange));
  if (next) return { exchange: next.exchange };
  return { outcome: attempts.length ? "deferred" : "refused" };
};

/** The course's multi-line reader (RFC 1939 3), as in lib/pop3's client. */
export const courseReadMultiline: ReadMultilinePiece = (lines) => {
  const [status, ...after] = lines;
  if (status === undefined) throw new Error("Cannot read response: no lines");
  if (!status.startsWith("+OK")) return { status, body: [], rest: after };
  const end = after.indexOf(".");
  if (end < 0) throw new Error("Cannot read response: the body has no terminating '.' line");
  const body = after.slice(0, end).map((l) => l.startsWith(".") ? l.slice(1) : l);
  return { status, body, rest: after.slice(end + 1) };
};

/** The course's pieces in every slot. */
export const COURSE_PIECES: JourneyPieces = {
  deliver: courseDeliver,
  nextStep: courseNextStep,
  readMultiline: courseReadMultiline,
  splitFrames: null,
};

/** Which slots hold someone else's piece: for the report "whose code carried the mail". */
export function replacedSlots(pieces: Partial<JourneyPieces>): (keyof JourneyPieces)[] {
  return (Object.keys(COURSE_PIECES) as (keyof JourneyPieces)[]).filter((k) =>
    pieces[k] !== undefined && pieces[k] !== COURSE_PIECES[k]
  );
}
