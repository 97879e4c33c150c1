/**
 * A short run of every fuzz target (tests/fuzz/), a few seconds in all; the long run is
 * `deno task fuzz`, whose latest result is in docs/fuzzing.md.
 */
import assert from "node:assert/strict";
import { FUZZ_TARGETS, runTargets } from "./fuzz/mod.ts";

for (const target of FUZZ_TARGETS) {
  Deno.test(`fuzz: ${target.name}`, async () => {
    const [report] = await runTargets([target], { runs: 300, socketRuns: 40, seconds: 20 });
    assert.ok(!report.failed, `seed ${report.seed}: ${report.error}\n${report.counterexample}`);
    assert.ok(report.runs > 0);
  });
}
