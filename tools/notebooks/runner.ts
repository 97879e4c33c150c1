/**
 * The Deno side of `run_notebooks.py`: run notebooks in the real kernel and read its
 * report. `deno task notebooks` (check.ts) and `deno task export` (export.ts) both run
 * notebooks this way, through the course's registered kernel, so both get its
 * output-under-its-cell guarantee, the late-output check and the leak checks.
 *
 * @module
 */

import { VENV_PYTHON } from "../venv.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** What `run_notebooks.py` reports for one notebook. */
export interface RunReport {
  /** Absolute path of the notebook. */
  notebook: string;
  ok: boolean;
  /** Each names the cell and what went wrong. */
  problems: string[];
  seconds: number;
  /** Wall time of each code cell, request to idle, as the client saw it. */
  cell_seconds: number[];
  code_cells: number;
  cells_without_output: number[];
  /** Outputs that arrived after their cell had finished (lost, as nbclient loses them); any fails the run. */
  late_outputs: { cell: number; msg_type: string }[];
  failing_cell?: number;
  failing_source?: string;
  /** With `writeExecuted`: where the executed copy was written. */
  executed_copy?: string;
}

/** Options for {@linkcode runNotebooks}. */
export interface RunOptions {
  /** Added to the kernel's environment. */
  env?: Record<string, string>;
  /** Write each executed notebook (with its outputs) into this folder. */
  writeExecuted?: string;
}

/**
 * Run notebooks top to bottom (call `ensureVenv()` first). Resolves with one report per
 * notebook, failed ones included.
 *
 * @throws {Error} the runner itself broke and gave no report.
 */
export async function runNotebooks(
  paths: readonly string[],
  options: RunOptions = {},
): Promise<RunReport[]> {
  const out = await new Deno.Command(VENV_PYTHON, {
    args: [
      `${ROOT}/tools/notebooks/run_notebooks.py`,
      ...(options.writeExecuted ? ["--write-executed", options.writeExecuted] : []),
      ...paths,
    ],
    cwd: ROOT,
    env: options.env,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(
      `Cannot run the notebooks: the runner gave no report (exit ${out.code})\n${text}`,
    );
  }
}

/**
 * A failed notebook for the terminal: its name, each problem, and the failing cell's code.
 *
 * @example
 * ```ts
 * import { describeFailure } from "./runner.ts";
 * const text = describeFailure({
 *   notebook: "/x/notebooks/00_welcome.ipynb", ok: false, problems: ["cell 3: TypeError"],
 *   seconds: 1, cell_seconds: [], code_cells: 9, cells_without_output: [], late_outputs: [], failing_source: "f()",
 * }, "/x");
 * if (text !== "✗ notebooks/00_welcome.ipynb\n    cell 3: TypeError\n    | f()") throw new Error(text);
 * ```
 */
export function describeFailure(report: RunReport, root: string = ROOT): string {
  const lines = [`✗ ${report.notebook.slice(root.length + 1)}`];
  for (const problem of report.problems) lines.push(`    ${problem}`);
  if (report.failing_source) {
    lines.push(...report.failing_source.split("\n").map((line) => `    | ${line}`));
  }
  return lines.join("\n");
}
