/**
 * Exercise: choose where to send mail for a domain, by its MX records, with fallback.
 *
 * To deliver mail for `bob@b.test`, an MTA asks DNS for the MX records of `b.test`:
 * pairs of a preference and an exchange (a host name). Read RFC 5321 section 5.1
 * ("Locating the Target Host") and RFC 7505 (the "null MX"), then write:
 *
 * - `orderExchanges(domain, records, self?)`: the exchange names to try, in the order the
 *   RFC asks for. Your answer must handle: several preferences; equal preferences (the
 *   RFC asks senders to spread the load: any order among them is accepted); a domain
 *   with no MX records; a domain that published a null MX; and an MTA that finds its own
 *   name (`self`) among the exchanges (what may it still try?). Host names are compared
 *   without regard to case, and `mx.b.test.` (with the root's final dot) is `mx.b.test`.
 *   Return the names as the records spell them.
 * - `deliverViaMx(domain, records, attempt, self?)`: try the exchanges in that order,
 *   one at a time, calling `attempt(exchange)`. Which outcomes make you move on to the
 *   next exchange, and which end the walk? (RFC 5321 4.2.1 says what 4yz and 5yz mean.)
 *   Return the overall outcome and every exchange you tried, in order. When nobody took
 *   the message for good, is it "deferred" (try again later) or "refused" (bounce)? It
 *   depends on whether there was anyone to try.
 *
 * Chapter 6 plugs your `deliverViaMx` into the chain: it chooses b.test's exchange there.
 *
 * Check your work with `deno task grade 03_smtp/mx_choice`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One MX record (RFC 1035 3.3.9): lower preference is tried first. */
export interface MxRecord {
  preference: number;
  exchange: string;
}

/** What one delivery attempt to one exchange came to. */
export type AttemptOutcome = "delivered" | "down" | "deferred" | "refused";

/** What delivering by MX came to, and which exchanges were tried, in order. */
export interface MxResult {
  outcome: "delivered" | "deferred" | "refused";
  tried: string[];
}

/** The exchanges to try for `domain`, most preferred first. */
export function orderExchanges(
  domain: string,
  records: readonly MxRecord[],
  self?: string,
): string[] {
  // TODO: the special cases first (no records, null MX), then the order, then `self`.
  void [domain, records, self];
  throw todo("orderExchanges(): order the exchanges as RFC 5321 5.1 asks");
}

/** Try the exchanges in order until one takes the message or refuses it for good. */
export async function deliverViaMx(
  domain: string,
  records: readonly MxRecord[],
  attempt: (exchange: string) => Promise<AttemptOutcome>,
  self?: string,
): Promise<MxResult> {
  // TODO: walk orderExchanges(...), one attempt at a time; decide when to stop.
  void [domain, records, attempt, self];
  await Promise.resolve();
  throw todo("deliverViaMx(): try the exchanges with fallback");
}
