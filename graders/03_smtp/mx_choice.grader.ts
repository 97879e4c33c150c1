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

/** Walk the exchanges with the learner's `nextStep`, as an MTA would. */
export function walk(
  impl: Impl,
  records: readonly Record[],
  outcomeOf: (exchange: string) => Outcome,
  self?: string,
  domain = "b.test",
): { outcome: string; calls: string[] } {
  const attempts: { exchange: string; outcome: Outcome }[] = [];
  for (let i = 0; i <= records.length + 1; i++) {
    const step = impl.nextStep(domain, records, attempts, self);
    assert.ok(step && typeof step === "object", "nextStep() returns an object");
    if ("outcome" in step) return { outcome: step.outcome, calls: attempts.map((a) => a.exchange) };
    assert.ok(
      !attempts.some((a) => a.exchange === step.exchange),
      `nextStep() chose ${step.exchange} again after ${JSON.stringify(attempts)}`,
    );
    attempts.push({ exchange: step.exchange, outcome: outcomeOf(step.exchange) });
  }
  throw new assert.AssertionError({
    message: `nextStep() never stopped: ${JSON.stringify(attempts)}`,
  });
}

/** Walk a generated case and check the walk against the rules. */
export function checkWalk(impl: Impl, random: Random, withSelf: boolean): void {
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
  const { outcome, calls } = walk(impl, records, (x) => outcomes.get(x) ?? "down", self, domain);
  const context = `records ${JSON.stringify(records)}${self ? `, self ${self}` : ""}, outcomes ${
    JSON.stringify(Object.fromEntries(outcomes))
  }`;
  const allowed = candidates(domain, records, self);
  const settled = calls.findIndex((x) => ["delivered", "refused"].includes(outcomes.get(x)!));
  if (settled >= 0) {
    assert.equal(settled, calls.length - 1, `${context}: went on after ${calls[settled]} settled`);
    assert.equal(outcome, outcomes.get(calls[settled]), context);
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
    assert.equal(outcome, calls.length ? "deferred" : "refused", context);
  }
}

export default defineExercise<Impl>({
  title: "Choose the mail exchange by MX, with fallback",
  hints: [
    "RFC 5321 5.1 in three rules: sort by preference, lowest first; no MX records means the domain itself is the one exchange; if you find yourself in the list, only the exchanges strictly more preferred than you remain.",
    'RFC 7505: a single MX record whose exchange is "." says the domain takes no mail: there is nothing to try.',
    'In nextStep, look at the last attempt first: "delivered" ends the walk, and so does "refused" (5yz is permanent: another exchange of the same domain would say the same). After "down" or "deferred" (4yz), the first exchange of the order not yet tried is next.',
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
      name: "nextStep() falls back past down and deferred exchanges (generated)",
      points: 2,
      hint: 'After "down" or "deferred" the next exchange in order comes; never one already tried.',
      run: (impl) => {
        const random = seededRandom(303);
        for (let i = 0; i < 150; i++) checkWalk(impl, random, false);
      },
    },
    {
      name: "nextStep() stops at a delivery and at a refusal",
      points: 1,
      hint: "5yz is permanent: the next exchange of the same domain would refuse too.",
      run: (impl) => {
        const records = [
          { preference: 10, exchange: "a.b.test" },
          { preference: 20, exchange: "b.b.test" },
        ];
        assert.deepEqual(
          walk(impl, records, (x) => x === "a.b.test" ? "refused" : "delivered"),
          { outcome: "refused", calls: ["a.b.test"] },
        );
        assert.deepEqual(
          walk(impl, records, (x) => x === "a.b.test" ? "deferred" : "delivered"),
          { outcome: "delivered", calls: ["a.b.test", "b.b.test"] },
        );
      },
    },
    {
      name: "nextStep() defers when all are down, refuses when nobody may be tried",
      points: 1,
      hint:
        'All tried and none settled: "deferred" (queue and retry). Nothing to try (null MX, or we are the best MX): "refused".',
      run: (impl) => {
        const records = [{ preference: 10, exchange: "a.b.test" }];
        assert.deepEqual(walk(impl, records, () => "down"), {
          outcome: "deferred",
          calls: ["a.b.test"],
        });
        assert.deepEqual(walk(impl, [{ preference: 0, exchange: "." }], () => "down"), {
          outcome: "refused",
          calls: [],
        });
        assert.deepEqual(walk(impl, records, () => "down", "A.B.TEST"), {
          outcome: "refused",
          calls: [],
        });
      },
    },
    {
      name: "nextStep() honours self on generated walks",
      points: 1,
      hint: "Pass `self` on to the ordering: exchanges as preferred as you, or less, are out.",
      run: (impl) => {
        const random = seededRandom(304);
        for (let i = 0; i < 150; i++) checkWalk(impl, random, true);
      },
    },
  ],
});
