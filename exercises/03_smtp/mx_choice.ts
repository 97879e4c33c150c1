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
 * - `nextStep(domain, records, attempts, self?)`: the MTA's decision after each attempt.
 *   Given the attempts made so far (each exchange with its outcome, in order), return
 *   the next exchange to try, or the final outcome. The MTA calls it, tries what it
 *   says, adds the outcome to `attempts`, and calls it again. Which outcomes make you
 *   move on to the next exchange, and which end the walk? (RFC 5321 4.2.1 says what 4yz
 *   and 5yz mean.) When nobody took the message for good, is it "deferred" (try again
 *   later) or "refused" (bounce)? It depends on whether there was anyone to try. Never
 *   send it to the same exchange twice in one walk.
 *
 * Keeping the decision apart from the sending (a pure function of what happened) makes
 * it easy to test and to reuse: chapter 6 plugs your `nextStep` into the chain, where it
 * chooses b.test's exchange.
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

/** What delivering by MX came to. */
export interface MxResult {
  outcome: "delivered" | "deferred" | "refused";
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

/** One attempt already made, and what came of it. */
export interface Attempt {
  exchange: string;
  outcome: AttemptOutcome;
}

/** What to do next: try this exchange, or stop with this outcome. */
export type NextStep = { exchange: string } | { outcome: MxResult["outcome"] };

/** Given the attempts so far, the next exchange to try or the final outcome. */
export function nextStep(
  domain: string,
  records: readonly MxRecord[],
  attempts: readonly Attempt[],
  self?: string,
): NextStep {
  // TODO: has the last attempt settled it? If not, which exchange comes next, if any?
  void [domain, records, attempts, self];
  throw todo("nextStep(): choose the next exchange, or stop");
}
