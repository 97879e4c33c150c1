/**
 * Finding the next destination: MX records and relaying (RFC 5321 5).
 *
 * To send mail for `bob@b.test`, an MTA looks up the MX records of `b.test`, tries the
 * exchanges from the lowest preference number up, and moves on to the next one when an
 * exchange is down or answers "not now" (4yz). A 5yz answer is final: the message is
 * refused, not retried elsewhere. With no MX record, the domain itself is the one host
 * (the "implicit MX", RFC 5321 5.1). An MTA that finds itself in the list only tries the
 * exchanges more preferred than itself, so mail never loops back (RFC 5321 5.1).
 *
 * The course never asks the real DNS: the MX table is a local object and every exchange
 * name maps to a port on 127.0.0.1.
 *
 * @module
 */

import { Transcript } from "../transcript/transcript.ts";
import type { Relay } from "./backend.ts";
import { SmtpClient } from "./client.ts";
import { SmtpError, SmtpReplyError } from "./error.ts";
import { replyText } from "./reply.ts";

/** One MX record: a mail exchange and its preference (lower is tried first). */
export interface MxRecord {
  preference: number;
  exchange: string;
}

/** A stand-in for DNS: domain to MX records. */
export type MxTable = Readonly<Record<string, readonly MxRecord[]>>;

/**
 * The exchanges to try for `domain`, most preferred first.
 *
 * RFC 5321 5.1 asks for random order among equal preferences, to spread load; we keep
 * table order there so that lessons and tests are repeatable.
 *
 * @param self This MTA's own exchange name: it and anything less preferred are dropped.
 *
 * @example
 * ```ts
 * import { nextHops } from "./mx.ts";
 * const table = { "b.test": [{ preference: 20, exchange: "mx2.b.test" }, { preference: 10, exchange: "mx1.b.test" }] };
 * const hops = nextHops(table, "B.test");
 * if (hops[0].exchange !== "mx1.b.test") throw new Error();
 * ```
 */
export function nextHops(table: MxTable, domain: string, self?: string): MxRecord[] {
  const key = Object.keys(table).find((d) => d.toLowerCase() === domain.toLowerCase());
  const records = key ? [...table[key]] : [{ preference: 0, exchange: domain.toLowerCase() }]; // implicit MX
  records.sort((a, b) => a.preference - b.preference);
  if (self === undefined) return records;
  const mine = records.find((r) => r.exchange.toLowerCase() === self.toLowerCase());
  return mine ? records.filter((r) => r.preference < mine.preference) : records;
}

/** One attempt to hand a message to an exchange. */
export interface RelayAttempt {
  domain: string;
  exchange: string;
  port?: number;
  /** "delivered", "down" (no connection), "deferred" (4yz), "refused" (5yz). */
  outcome: "delivered" | "down" | "deferred" | "refused";
  detail: string;
}

/** Options for {@linkcode mxRelay}. */
export interface MxRelayOptions {
  /** MX records by domain. */
  mx: MxTable;
  /** Exchange names to ports on 127.0.0.1 (our stand-in for A records). */
  hosts: Readonly<Record<string, number>>;
  /** Our name, for EHLO and for the "find myself in the MX list" rule. */
  self: string;
  /** Deadline per step, ms. Default 10000. */
  timeoutMs?: number;
  /** Every attempt, as it happens. */
  onAttempt?: (attempt: RelayAttempt) => void;
  /** Record each outgoing connection. */
  onTranscript?: (transcript: Transcript, exchange: string) => void;
  /** Credentials per exchange, when a hop wants AUTH. */
  auth?: Readonly<Record<string, { username: string; password: string }>>;
}

/**
 * A {@linkcode Relay} that delivers by MX: per recipient domain, try each exchange in
 * preference order until one accepts the message.
 *
 * @throws {SmtpError} 5yz when an exchange refused for good; 451 4.4.1 when no exchange
 *   accepted (all down or deferring), so that the sender tries again later.
 */
export function mxRelay(options: MxRelayOptions): Relay {
  return async (envelope, message) => {
    const byDomain = new Map<string, string[]>();
    for (const to of envelope.to) {
      const domain = to.slice(to.lastIndexOf("@") + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), to]);
    }
    for (const [domain, to] of byDomain) {
      await relayToDomain(options, domain, { from: envelope.from, to }, message);
    }
  };
}

async function relayToDomain(
  options: MxRelayOptions,
  domain: string,
  envelope: { from: string; to: string[] },
  message: Uint8Array,
): Promise<void> {
  const hops = nextHops(options.mx, domain, options.self);
  const report = (attempt: RelayAttempt) => options.onAttempt?.(attempt);
  const failures: string[] = [];
  for (const hop of hops) {
    const port = options.hosts[hop.exchange];
    if (port === undefined) {
      report({
        domain,
        exchange: hop.exchange,
        outcome: "down",
        detail: "no address for this name",
      });
      failures.push(`${hop.exchange}: no address`);
      continue;
    }
    let transcript: Transcript | undefined;
    if (options.onTranscript) {
      transcript = new Transcript();
      options.onTranscript(transcript, hop.exchange);
    }
    try {
      await using client = await SmtpClient.connect(port, {
        timeoutMs: options.timeoutMs,
        transcript,
        names: [options.self, hop.exchange],
      });
      await client.ehlo(options.self);
      const creds = options.auth?.[hop.exchange];
      if (creds) await client.auth(creds.username, creds.password);
      const result = await client.send({ ...envelope, data: message });
      await client.quit().catch(() => {});
      if (result.rejected.length) {
        const r = result.rejected[0];
        throw new SmtpError(
          r.reply.code,
          r.reply.enhanced,
          `${hop.exchange} refused <${r.address}>: ${replyText(r.reply)}`,
        );
      }
      report({
        domain,
        exchange: hop.exchange,
        port,
        outcome: "delivered",
        detail: replyText(result.reply),
      });
      return;
    } catch (error) {
      if (error instanceof SmtpError) throw error;
      if (error instanceof SmtpReplyError && error.step !== "greeting" && error.permanent) {
        report({
          domain,
          exchange: hop.exchange,
          port,
          outcome: "refused",
          detail: replyText(error.reply),
        });
        throw new SmtpError(
          error.reply.code,
          error.reply.enhanced,
          `${hop.exchange} said: ${error.reply.lines.join(" ")}`,
        );
      }
      const outcome = error instanceof SmtpReplyError ? "deferred" : "down";
      const detail = error instanceof Error ? error.message : String(error);
      report({ domain, exchange: hop.exchange, port, outcome, detail });
      failures.push(`${hop.exchange}: ${detail}`);
    }
  }
  throw new SmtpError(
    451,
    "4.4.1",
    `No mail exchange for ${domain} accepted the message (${failures.join("; ") || "no MX"})`,
  );
}
