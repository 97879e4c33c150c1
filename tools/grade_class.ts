/**
 * `deno task grade-class SUBMISSIONS [chapter|exercise] [--out DIR] [--hidden] [--jobs N]`:
 * grade a folder of submissions, one sub-folder per student, into `DIR/gradebook.csv`
 * and `DIR/students/NAME/` (results.json, junit.xml, score.json). See lib/grading/class.ts.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { gradeClass } from "../lib/grading/class.ts";
import { totals } from "../lib/grading/reports.ts";

const USAGE =
  "usage: deno task grade-class <submissions folder> [chapter|exercise[,...]] [--out DIR] [--hidden] [--jobs N] [--timeout SECONDS]";

const { values: flags, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    out: { type: "string" },
    hidden: { type: "boolean" },
    jobs: { type: "string" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

const [submissions, filter] = positionals;
if (flags.help || !submissions) {
  console.log(USAGE);
  Deno.exit(flags.help ? 0 : 2);
}
const out = flags.out ?? "gradebook";
let done = 0;
const grades = await gradeClass({
  submissions,
  out,
  filter,
  hidden: flags.hidden ?? false,
  jobs: flags.jobs ? Number(flags.jobs) : undefined,
  studentTimeoutMs: flags.timeout ? Number(flags.timeout) * 1000 : undefined,
  onStudent: (student, results) => {
    const { score, maxScore } = totals(results);
    console.log(`${String(++done).padStart(4)}  ${student}: ${score}/${maxScore}`);
  },
});
const problems = grades.filter((g) => g.problem);
console.log(`\n${grades.length} students graded: ${out}/gradebook.csv, ${out}/students/NAME/`);
for (const g of problems) console.log(`  ${g.student}: ${g.problem}`);
