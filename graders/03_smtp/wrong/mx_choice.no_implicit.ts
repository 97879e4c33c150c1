/**
 * Wrong: gives up on a domain without MX records instead of using the implicit MX.
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

/** What delivering by MX came to, and which exchanges were tried, in order. */
export interface MxResult {
  outcome: "delivered" | "deferred" | "refused";
  tried: string[];
}

/** Host names compare without case and without a final root dot. */
function sameHost(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, "") === b.toLowerCase().replace(/\.$/, "");
}

/** The exchanges to try for `domain`, most preferred first. */
export function orderExchanges(
  _domain: string,
  records: readonly MxRecord[],
  self?: string,
): string[] {
  if (records.length === 0) return []; // no MX, no mail
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

/** Try the exchanges in order until one takes the message or refuses it for good. */
export async function deliverViaMx(
  domain: string,
  records: readonly MxRecord[],
  attempt: (exchange: string) => Promise<AttemptOutcome>,
  self?: string,
): Promise<MxResult> {
  const tried: string[] = [];
  for (const exchange of orderExchanges(domain, records, self)) {
    tried.push(exchange);
    const outcome = await attempt(exchange);
    if (outcome === "delivered" || outcome === "refused") return { outcome, tried };
  }
  // Nobody answered for good: queue and retry later; nobody to ask at all: bounce.
  return { outcome: tried.length ? "deferred" : "refused", tried };
}
