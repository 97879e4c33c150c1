/**
 * `deno task fuzz`: run every fuzz target long, print the result and record it in
 * docs/fuzzing.md (between the RESULTS markers, so the figures there come from a run).
 *
 *   deno task fuzz [--only IMAP] [--runs 100000] [--socket-runs 100000] [--seconds 900]
 *                  [--seed N] [--no-record]
 *
 * `--only` runs one protocol's targets (the first word of their names). A protocol with
 * its own RESULTS markers in docs/fuzzing.md ("<!-- IMAP RESULTS BEGIN -->") has its table
 * recorded there; the others share the first table.
 *
 * Each target stops at its number of cases or its time limit, whichever comes first;
 * a failure prints the seed and the smallest counterexample fast-check found, so the
 * run can be repeated with `--seed`.
 *
 * @module
 */
import { FUZZ_TARGETS, runTargets } from "../tests/fuzz/mod.ts";

const flag = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const runs = flag("runs", 100_000);
const socketRuns = flag("socket-runs", 100_000);
const seconds = flag("seconds", 900);
const seed = Deno.args.includes("--seed") ? flag("seed", 0) : undefined;

const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : null;
const protocol = (name: string) => name.split(" ")[0];
const targets = FUZZ_TARGETS.filter((t) => only === null || protocol(t.name) === only);
if (!targets.length) throw new Error(`Cannot fuzz: no target belongs to ${only}`);

const started = new Date();
const reports = await runTargets(targets, { runs, socketRuns, seconds, seed });
const fmt = (n: number) => n.toLocaleString("en-US");
const cpu = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1] ?? "?";
const tableOf = (picked: number[]) =>
  [
    `Run of ${
      started.toISOString().slice(0, 16).replace("T", " ")
    } UTC, Deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} cores (${cpu}); asked for ${fmt(runs)} cases per target ` +
    `(${fmt(socketRuns)} for socket targets), at most ${seconds} s each.`,
    "",
    "| target | kind | cases | seconds | result | seed |",
    "| --- | --- | ---: | ---: | --- | ---: |",
    ...picked.map((i) =>
      `| ${reports[i].name} | ${targets[i].kind} | ${fmt(reports[i].runs)} | ${
        reports[i].seconds.toFixed(0)
      } | ${reports[i].failed ? "**FAILED**" : "passed"} | ${reports[i].seed} |`
    ),
  ].join("\n");
console.log(tableOf(reports.map((_, i) => i)));
for (const r of reports.filter((r) => r.failed)) {
  console.log(
    `\n${r.name} failed (seed ${r.seed}):\n${r.error}\ncounterexample: ${r.counterexample}`,
  );
}
if (!Deno.args.includes("--no-record")) {
  const path = new URL("../docs/fuzzing.md", import.meta.url);
  let doc = await Deno.readTextFile(path);
  /** Replace what lies between two markers; false when the markers are missing. */
  const record = (begin: string, end: string, table: string) => {
    const at = doc.indexOf(begin);
    const stop = doc.indexOf(end, at);
    if (at < 0 || stop < at) return false;
    doc = doc.slice(0, at + begin.length) + "\n\n" + table + "\n\n" + doc.slice(stop);
    return true;
  };
  const shared: number[] = [];
  for (const name of new Set(targets.map((t) => protocol(t.name)))) {
    const picked = reports.flatMap((_, i) => (protocol(targets[i].name) === name ? [i] : []));
    const own = `<!-- ${name} RESULTS BEGIN (written by deno task fuzz) -->`;
    if (!record(own, `<!-- ${name} RESULTS END -->`, tableOf(picked))) shared.push(...picked);
  }
  if (
    shared.length &&
    !record(
      "<!-- RESULTS BEGIN (written by deno task fuzz) -->",
      "<!-- RESULTS END -->",
      tableOf(shared),
    )
  ) {
    throw new Error("Cannot record: docs/fuzzing.md lacks the RESULTS markers");
  }
  await Deno.writeTextFile(path, doc);
  console.log("\nRecorded in docs/fuzzing.md");
}
Deno.exit(reports.some((r) => r.failed) ? 1 : 0);
