/**
 * `deno task fuzz`: run every fuzz target long, print the result and record it in
 * docs/fuzzing.md (between the RESULTS markers, so the figures there come from a run).
 *
 *   deno task fuzz [--runs 100000] [--socket-runs 100000] [--seconds 900] [--seed N] [--no-record]
 *                  [--only mail]
 *
 * `--only GROUP` runs one group of targets (see FUZZ_GROUPS) and records its result
 * between that group's own markers in docs/fuzzing.md.
 *
 * Each target stops at its number of cases or its time limit, whichever comes first;
 * a failure prints the seed and the smallest counterexample fast-check found, so the
 * run can be repeated with `--seed`.
 *
 * @module
 */
import { FUZZ_GROUPS, FUZZ_TARGETS, runTargets } from "../tests/fuzz/mod.ts";

const flag = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const runs = flag("runs", 100_000);
const socketRuns = flag("socket-runs", 100_000);
const seconds = flag("seconds", 900);
const seed = Deno.args.includes("--seed") ? flag("seed", 0) : undefined;
const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : null;
if (only !== null && !(only in FUZZ_GROUPS)) {
  throw new Error(`Cannot fuzz ${only}: the groups are ${Object.keys(FUZZ_GROUPS).join(", ")}`);
}
const targets = only === null ? FUZZ_TARGETS : FUZZ_GROUPS[only];

const started = new Date();
const reports = await runTargets(targets, { runs, socketRuns, seconds, seed });
const fmt = (n: number) => n.toLocaleString("en-US");
const cpu = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1] ?? "?";
const table = [
  `Run of ${
    started.toISOString().slice(0, 16).replace("T", " ")
  } UTC, Deno ${Deno.version.deno}, ` +
  `${navigator.hardwareConcurrency} cores (${cpu}); asked for ${fmt(runs)} cases per target ` +
  `(${fmt(socketRuns)} for socket targets), at most ${seconds} s each.`,
  "",
  "| target | kind | cases | seconds | result | seed |",
  "| --- | --- | ---: | ---: | --- | ---: |",
  ...reports.map((r, i) =>
    `| ${r.name} | ${targets[i].kind} | ${fmt(r.runs)} | ${r.seconds.toFixed(0)} | ${
      r.failed ? "**FAILED**" : "passed"
    } | ${r.seed} |`
  ),
].join("\n");
console.log(table);
for (const r of reports.filter((r) => r.failed)) {
  console.log(
    `\n${r.name} failed (seed ${r.seed}):\n${r.error}\ncounterexample: ${r.counterexample}`,
  );
}
if (!Deno.args.includes("--no-record")) {
  const path = new URL("../docs/fuzzing.md", import.meta.url);
  const doc = await Deno.readTextFile(path);
  const begin = only === null
    ? "<!-- RESULTS BEGIN (written by deno task fuzz) -->"
    : `<!-- RESULTS ${only} BEGIN (written by deno task fuzz --only ${only}) -->`;
  const end = only === null ? "<!-- RESULTS END -->" : `<!-- RESULTS ${only} END -->`;
  const at = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (at < 0 || stop < at) {
    throw new Error(`Cannot record: docs/fuzzing.md lacks the markers ${begin} and ${end}`);
  }
  await Deno.writeTextFile(
    path,
    doc.slice(0, at + begin.length) + "\n\n" + table + "\n\n" + doc.slice(stop),
  );
  console.log("\nRecorded in docs/fuzzing.md");
}
Deno.exit(reports.some((r) => r.failed) ? 1 : 0);
