/**
 * The MX hop built from pieces: a {@linkcode Relay} for lib/smtp's server that chooses
 * the exchange with a `nextStep` piece and speaks SMTP to it with a `deliver` piece.
 *
 * @module
 */

import type { Relay } from "../smtp/backend.ts";
import { SmtpError } from "../smtp/error.ts";
import type { Attempt, AttemptOutcome, DeliverPiece, MxRecord, NextStepPiece } from "./pieces.ts";

/** What the relay needs to know and whom it tells. */
export interface PiecesRelayOptions {
  /** The stand-in for DNS: domain to MX records. */
  mx: Readonly<Record<string, readonly MxRecord[]>>;
  /** The stand-in for address records: exchange name to a loopback port. */
  hosts: Readonly<Record<string, number>>;
  /** This MTA's name (RFC 5321 5.1: it must not relay to itself or worse). */
  self: string;
  deliver: DeliverPiece;
  nextStep: NextStepPiece;
  /** Told about every attempt, as it ends. */
  onAttempt?: (exchange: string, outcome: AttemptOutcome, detail: string) => void;
}

/** The reply code inside an error's message, if there is one: "RCPT refused: 550 ...". */
function replyCodeIn(error: unknown): number | null {
  const match = /\b([245]\d\d)\b/.exec(error instanceof Error ? error.message : String(error));
  return match ? Number(match[1]) : null;
}

/**
 * A relay that walks the MX records with the given pieces.
 *
 * An attempt is "down" when there is no address or no SMTP conversation came of it,
 * "deferred" on a 4yz reply, "refused" on a 5yz one (RFC 5321 4.2.1): the walk moves on
 * after the first two and stops at the third.
 *
 * @throws {SmtpError} 550 5.1.2 (refused) or 451 4.4.1 (every exchange down or
 *   deferring), so the server in front answers its client accordingly.
 */
export function piecesRelay(options: PiecesRelayOptions): Relay {
  return async (envelope, message) => {
    const text = new TextDecoder().decode(message);
    const byDomain = new Map<string, string[]>();
    for (const to of envelope.to) {
      const domain = to.slice(to.lastIndexOf("@") + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), to]);
    }
    for (const [domain, recipients] of byDomain) {
      const attempt = async (exchange: string): Promise<AttemptOutcome> => {
        const port = options.hosts[exchange.toLowerCase()];
        if (port === undefined) {
          options.onAttempt?.(exchange, "down", "no address for this name");
          return "down";
        }
        try {
          let reply = "";
          for (const to of recipients) {
            reply = await options.deliver(port, envelope.from, to, text);
          }
          options.onAttempt?.(exchange, "delivered", reply);
          return "delivered";
        } catch (error) {
          const code = replyCodeIn(error);
          const outcome = code === null ? "down" : code >= 500 ? "refused" : "deferred";
          options.onAttempt?.(exchange, outcome, (error as Error).message ?? String(error));
          return outcome;
        }
      };
      // Ask the piece what to do, do it, tell it what came of it; a walk tries each
      // exchange once, so it has at most one step per record (plus the implicit MX).
      const records = options.mx[domain] ?? [];
      const attempts: Attempt[] = [];
      let result: { outcome: string } | null = null;
      for (let i = 0; i <= records.length + 1 && !result; i++) {
        const step = options.nextStep(domain, records, attempts, options.self);
        if ("outcome" in step) result = step;
        else attempts.push({ exchange: step.exchange, outcome: await attempt(step.exchange) });
      }
      if (!result) {
        throw new SmtpError(451, "4.4.1", `The MX walk for ${domain} did not end; try again later`);
      }
      if (result.outcome === "refused") {
        throw new SmtpError(550, "5.1.2", `No exchange for ${domain} took the message`);
      }
      if (result.outcome !== "delivered") {
        throw new SmtpError(451, "4.4.1", `No exchange for ${domain} answered; try again later`);
      }
    }
  };
}
