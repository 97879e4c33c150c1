/**
 * Grader for choosing exchanges by MX. Records, `self` names and attempt outcomes are
 * generated (seeded); each answer is checked against the rules of RFC 5321 5.1 and
 * RFC 7505, with any order accepted among equal preferences.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { type Random, seededRandom } from "../seeded_random.ts";

type Impl = typeof import("../../exercises/03_smtp/mx_choice.ts");
type Record = { preference: number; exchange: string };
type Outcome = "delivered" | "down" | "deferred" | "refused";

const host = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Generated MX records: unique exchanges, preferences with ties. */
export function generateRecords(random: Random, domain = "b.test"): Record[] {
  const count = random.int(1, 6);
  const levels = random.shuffle([0, 5, 10, 20, 30, 50, 65535]).slice(0, random.int(1, count));
  return Array.from({ length: count }, (_, i) => ({
    preference: random.pick(levels),
    exchange: `${random.pick(["mx", "relay", "backup", "mail"])}${i}.${domain}`,
  }));
}

/** The candidates the RFC allows, by exchange, with their preferences. */
export function candidates(domain: string, records: readonly Record[], self?: string): Record[] {
  if (records.length === 0) return [{ preference: 0, exchange: domain }];
  if (records.length === 1 && records[0].exchange === ".") return [];
  if (self === undefined) return [...records];
  const mine = records.filter((r) => host(r.exchange) === host(self));
  if (!mine.length) return [...records];
  const level = Math.min(...mine.map((r) => r.preference));
  return records.filter((r) => r.preference < level);
}

/** Fails unless `order` is exactly the candidates, by non-decreasing preference. */
export function assertValidOrder(
  order: readonly string[],
  allowed: readonly Record[],
  context: string,
): void {
  assert.ok(Array.isArray(order), `${context}: not an array`);
  assert.deepEqual(
    [...order].sort(),
    allowed.map((r) => r.exchange).sort(),
    `${context}: wrong set of exchanges (got ${JSON.stringify(order)})`,
  );
  const preference = new Map(allowed.map((r) => [r.exchange, r.preference]));
  for (let i = 1; i < order.length; i++) {
    assert.ok(
      preference.get(order[i - 1])! <= preference.get(order[i])!,
      `${context}: ${order[i - 1]} (${preference.get(order[i - 1])}) came before ${order[i]} (${
        preference.get(order[i])
      })`,
    );
  }
}

/** Run `deliverViaMx` on a generated case and check the walk against the rules. */
export async function checkWalk(impl: Impl, random: Random, withSelf: boolean): Promise<void> {
  const domain = "b.test";
  const records = random.chance(0.1) ? [] : generateRecords(random, domain);
  let self: string | undefined;
  if (withSelf && records.length) {
    const mine = random.pick(records).exchange;
    self = random.chance(0.5) ? mine.toUpperCase() : `${mine}.`;
  }
  const outcomes = new Map<string, Outcome>();
  for (const r of [...records, { exchange: domain }]) {
    outcomes.set(r.exchange, random.pick(["delivered", "down", "deferred", "refused", "down"]));
  }
  const calls: string[] = [];
  let active = 0;
  const result = await impl.deliverViaMx(domain, records, async (exchange) => {
    assert.equal(active, 0, "deliverViaMx() started an attempt before the last one ended");
    active++;
    calls.push(exchange);
    await new Promise((resolve) => setTimeout(resolve, 0));
    active--;
    return outcomes.get(exchange) ?? "down";
  }, self);
  const context = `records ${JSON.stringify(records)}${self ? `, self ${self}` : ""}, outcomes ${
    JSON.stringify(Object.fromEntries(outcomes))
  }`;
  assert.deepEqual(result.tried, calls, `${context}: "tried" is not the attempts made`);
  const allowed = candidates(domain, records, self);
  const settled = calls.findIndex((x) => ["delivered", "refused"].includes(outcomes.get(x)!));
  if (settled >= 0) {
    assert.equal(settled, calls.length - 1, `${context}: went on after ${calls[settled]} settled`);
    assert.equal(result.outcome, outcomes.get(calls[settled]), context);
    // What was tried must be a valid beginning of the order.
    const tried = new Set(calls);
    const lastPreference = allowed.find((r) => r.exchange === calls.at(-1))?.preference ?? -1;
    for (const r of allowed) {
      if (r.preference < lastPreference) {
        assert.ok(tried.has(r.exchange), `${context}: skipped ${r.exchange}`);
      }
    }
    assert.ok(calls.every((x) => allowed.some((r) => r.exchange === x)), `${context}: ${calls}`);
  } else {
    assertValidOrder(calls, allowed, context);
    assert.equal(result.outcome, calls.length ? "deferred" : "refused", context);
  }
}

export default defineExercise<Impl>({
  title: "Choose the mail exchange by MX, with fallback",
  hints: [
    "RFC 5321 5.1 in three rules: sort by preference, lowest first; no MX records means the domain itself is the one exchange; if you find yourself in the list, only the exchanges strictly more preferred than you remain.",
    'RFC 7505: a single MX record whose exchange is "." says the domain takes no mail: there is nothing to try.',
    'In deliverViaMx, "down" and "deferred" (4yz) mean: try the next exchange. "delivered" ends the walk, and so does "refused" (5yz is permanent: another exchange of the same domain would say the same). Await each attempt before the next.',
  ],
  checks: [
    {
      name: "orderExchanges() tries lower preferences first (generated records)",
      points: 2,
      hint: "Sort by preference ascending; keep every record; return the names as spelled.",
      run: (impl) => {
        const random = seededRandom(301);
        for (let i = 0; i < 200; i++) {
          const records = generateRecords(random);
          assertValidOrder(
            impl.orderExchanges("b.test", records),
            records,
            `records ${JSON.stringify(records)}`,
          );
        }
      },
    },
    {
      name: "orderExchanges() uses the domain itself when it has no MX records",
      points: 1,
      hint: "RFC 5321 5.1: the implicit MX, preference 0, pointing to the domain's own host.",
      run: (impl) => {
        assert.deepEqual(impl.orderExchanges("b.test", []), ["b.test"]);
        assert.deepEqual(impl.orderExchanges("Other.Example", []), ["Other.Example"]);
      },
    },
    {
      name: "orderExchanges() finds nothing to try for a null MX",
      points: 1,
      hint: 'RFC 7505: exactly one record, preference 0, exchange ".".',
      run: (impl) => {
        assert.deepEqual(impl.orderExchanges("b.test", [{ preference: 0, exchange: "." }]), []);
      },
    },
    {
      name: "orderExchanges() keeps only exchanges more preferred than itself (generated)",
      points: 2,
      hint:
        "Find `self` among the exchanges (ignore case and a final dot); drop it and every record of the same or a higher preference number.",
      run: (impl) => {
        const random = seededRandom(302);
        for (let i = 0; i < 200; i++) {
          const records = generateRecords(random);
          const mine = random.pick(records).exchange;
          const self = random.pick([mine, mine.toUpperCase(), `${mine}.`]);
          assertValidOrder(
            impl.orderExchanges("b.test", records, self),
            candidates("b.test", records, self),
            `records ${JSON.stringify(records)}, self ${self}`,
          );
        }
        const records = generateRecords(random);
        assertValidOrder(
          impl.orderExchanges("b.test", records, "elsewhere.test"),
          records,
          "a self that is not in the list changes nothing",
        );
      },
    },
    {
      name: "deliverViaMx() falls back past down and deferred exchanges (generated)",
      points: 2,
      hint:
        'Loop over orderExchanges(); after "down" or "deferred" go on to the next; return what you tried.',
      run: async (impl) => {
        const random = seededRandom(303);
        for (let i = 0; i < 150; i++) await checkWalk(impl, random, false);
      },
    },
    {
      name: "deliverViaMx() stops at a refusal and reports it",
      points: 1,
      hint: "5yz is permanent: the next exchange of the same domain would refuse too.",
      run: async (impl) => {
        const records = [
          { preference: 10, exchange: "a.b.test" },
          { preference: 20, exchange: "b.b.test" },
        ];
        const result = await impl.deliverViaMx(
          "b.test",
          records,
          (x) => Promise.resolve(x === "a.b.test" ? "refused" : "delivered"),
        );
        assert.deepEqual(result, { outcome: "refused", tried: ["a.b.test"] });
      },
    },
    {
      name: "deliverViaMx() defers when all are down, refuses when nobody may be tried",
      points: 1,
      hint:
        'All tried and none settled: "deferred" (queue and retry). Nothing to try (null MX, or we are the best MX): "refused".',
      run: async (impl) => {
        const down = () => Promise.resolve("down" as const);
        const records = [{ preference: 10, exchange: "a.b.test" }];
        assert.deepEqual(await impl.deliverViaMx("b.test", records, down), {
          outcome: "deferred",
          tried: ["a.b.test"],
        });
        assert.deepEqual(
          await impl.deliverViaMx("b.test", [{ preference: 0, exchange: "." }], down),
          { outcome: "refused", tried: [] },
        );
        assert.deepEqual(await impl.deliverViaMx("b.test", records, down, "A.B.TEST"), {
          outcome: "refused",
          tried: [],
        });
      },
    },
    {
      name: "deliverViaMx() honours self and tries one exchange at a time (generated)",
      points: 1,
      hint: "Await each attempt before starting the next; pass `self` on to orderExchanges().",
      run: async (impl) => {
        const random = seededRandom(304);
        for (let i = 0; i < 150; i++) await checkWalk(impl, random, true);
      },
    },
  ],
});
