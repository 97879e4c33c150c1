/**
 * `deno task notebooks [name...]`: run notebooks top to bottom in the real Deno kernel.
 *
 * Checks each committed notebook's hygiene, prepares `.venv` and the course's kernel, then
 * hands the notebooks to `run_notebooks.py` (plain nbclient through the registered kernel,
 * with leak checks) and reports per notebook. A failure names the notebook, the cell and the
 * error. An output that arrives after its cell has finished (the Deno kernel's output race,
 * which the course's kernel prevents) fails the notebook; the reports are saved in
 * `results/notebooks.json`.
 *
 * @module
 */

import { ensureVenv } from "../venv.ts";
import { hygieneProblems, notebookPaths } from "./notebooks.ts";
import { describeFailure, runNotebooks, type RunReport } from "./runner.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

const paths = notebookPaths(Deno.args.filter((a) => !a.startsWith("--")));
if (paths.length === 0) {
  console.error("No notebooks matched.");
  Deno.exit(1);
}

let failed = 0;
for (const path of paths) {
  const problems = hygieneProblems(path);
  if (problems.length) {
    failed++;
    console.error(
      `✗ ${path.slice(ROOT.length + 1)}: ${
        problems.join("; ")
      } (\`deno task fmt-notebooks\` clears outputs and writes JupyterLab's form)`,
    );
  }
}

await ensureVenv({ quiet: true });

/** Run notebooks in the kernel; a broken runner ends the check. */
async function run(notebooks: string[], env?: Record<string, string>): Promise<RunReport[]> {
  try {
    return await runNotebooks(notebooks, { env });
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}

const reports = await run(paths);
// Chapters that capture packets fall back to the shipped capture where live capture is not
// allowed: run them that way too, so both paths are proven.
const capturing = paths.filter((p) => Deno.readTextFileSync(p).includes("captureOrShipped"));
if (capturing.length) {
  for (const r of await run(capturing, { COURSE_LIVE_CAPTURE: "0" })) {
    reports.push({ ...r, notebook: `${r.notebook} (shipped capture)` });
  }
}

// Chapters that put Postfix in their chain fall back to the course's relay where Postfix
// cannot run: run them that way too (COURSE_POSTFIX=0), so both paths are proven.
const withPostfix = paths.filter((p) => Deno.readTextFileSync(p).includes("COURSE_POSTFIX"));
if (withPostfix.length) {
  for (const r of await run(withPostfix, { COURSE_POSTFIX: "0" })) {
    reports.push({ ...r, notebook: `${r.notebook} (without Postfix)` });
  }
}

let late = 0, cells = 0;
for (const r of reports) {
  const name = r.notebook.slice(ROOT.length + 1);
  late += r.late_outputs.length;
  cells += r.code_cells;
  if (r.ok) {
    console.log(
      `✓ ${name} (${r.code_cells} code cells, ${r.seconds} s, ${r.late_outputs.length} late outputs)`,
    );
  } else {
    failed++;
    console.log(describeFailure(r));
  }
}
Deno.mkdirSync(`${ROOT}/results`, { recursive: true });
Deno.writeTextFileSync(`${ROOT}/results/notebooks.json`, JSON.stringify(reports, null, 2) + "\n");
console.log(`late outputs (arrived after their cell had finished): ${late} in ${cells} cells`);
console.log(`notebooks: ${reports.filter((r) => r.ok).length} passed, ${failed} failed`);
Deno.exit(failed ? 1 : 0);
