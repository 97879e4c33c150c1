/**
 * Wrong: moves on after a 5yz refusal, as if it were temporary.
 *
 * @module
 */

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

/** Host names compare without case and without a final root dot. */
function sameHost(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");
}

/** The exchanges to try for `domain`, most preferred first. */
export function orderExchanges(
  domain: string,
  records: readonly MxRecord[],
  self?: string,
): string[] {
  if (records.length === 0) return [domain]; // implicit MX (RFC 5321 5.1)
  if (records.length === 1 && records[0].exchange === ".") return []; // null MX (RFC 7505)
  // Equal preferences: shuffle, then a stable sort keeps the shuffled order within ties.
  const shuffled = [...records];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  let sorted = shuffled.sort((a, b) => a.preference - b.preference);
  if (self !== undefined) {
    const mine = sorted.filter((r) => sameHost(r.exchange, self));
    if (mine.length) {
      const level = Math.min(...mine.map((r) => r.preference));
      sorted = sorted.filter((r) => r.preference < level);
    }
  }
  return sorted.map((r) => r.exchange);
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
  const last = attempts.at(-1);
  if (last?.outcome === "delivered") {
    return { outcome: last.outcome }; // 5yz is permanent: no other exchange will do better
  }
  const tried = new Set(attempts.map((a) => a.exchange));
  const left = orderExchanges(domain, records, self).filter((x) => !tried.has(x));
  if (left.length) return { exchange: left[0] };
  // Nobody answered for good: queue and retry later; nobody to ask at all: bounce.
  return { outcome: attempts.length ? "deferred" : "refused" };
}
