/**
 * Grade from a notebook cell.
 *
 * `Deno.test` inside a cell reports to the kernel's stdout and never fails the cell, and
 * the kernel caches imported modules, so an edited exercise would not be re-read. So a
 * cell runs the same grader as the terminal, `tools/grade.ts`, in a fresh Deno process,
 * and shows its results as a table.
 *
 * @module
 */

import { COURSE_ROOT } from "./discover.ts";
import { resultsView } from "./reports.ts";
import type { ExerciseResult } from "./run.ts";

/**
 * Grade a chapter or one exercise and return a displayable table.
 *
 * @example
 * ```ts ignore
 * import { gradeInline } from "../lib/grading/inline.ts";
 * await gradeInline("00_welcome"); // shows points and hints in the notebook
 * ```
 */
export async function gradeInline(
  filter: string,
  options: { target?: "exercises" | "solutions" } = {},
) {
  const args = ["run", "-A", `${COURSE_ROOT}/tools/grade.ts`, filter, "--json"];
  if (options.target === "solutions") args.push("--solutions");
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: COURSE_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  let results: ExerciseResult[];
  try {
    results = JSON.parse(text);
  } catch {
    throw new Error(
      `Cannot grade ${filter}: ${new TextDecoder().decode(output.stderr).trim() || text.trim()}`,
    );
  }
  return Object.assign(resultsView(results), { results });
}
