/**
 * Plain nbclient through a kernelspec, as `run_notebooks.py` runs it (it stops reading a cell
 * at the cell's idle, as nbclient does, and counts what arrives later): how many outputs a
 * learner's tool would lose, and how long each cell takes from request to idle.
 *
 * @module
 */

import { VENV_PYTHON } from "../../tools/venv.ts";
import type { RunReport } from "../../tools/notebooks/runner.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const CHAPTER_RUNS = Number(Deno.env.get("RACE_NBCLIENT_CHAPTER_RUNS") ?? 2);

/** What plain nbclient got from one notebook over its runs. */
export interface NbclientResult {
  notebook: string;
  runs: number;
  code_cells: number;
  /** Outputs that arrived after their cell's idle: nbclient drops them. */
  outputs_lost: number;
  /** Runs that failed for another reason (an error in a cell, a leak, a dead kernel). */
  other_failures: string[];
  /** Per cell, request to idle, in milliseconds. */
  median_cell_ms: number;
  mean_cell_ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

/**
 * Run the probe (first path) `probeRuns` times and each other notebook RACE_NBCLIENT_CHAPTER_RUNS
 * times through the kernelspec `kernel`.
 */
export async function runNotebooksWith(
  kernel: string,
  [probe, ...chapters]: string[],
  probeRuns: number,
  env: Record<string, string> = {},
): Promise<NbclientResult[]> {
  const paths = [
    ...Array(probeRuns).fill(probe),
    ...chapters.flatMap((path) => Array(CHAPTER_RUNS).fill(path)),
  ];
  const out = await new Deno.Command(VENV_PYTHON, {
    args: ["tools/notebooks/run_notebooks.py", "--kernel", kernel, ...paths],
    cwd: ROOT,
    env: { JUPYTER_PREFER_ENV_PATH: "1", ...env },
    stdout: "piped",
    stderr: "null",
  }).output();
  const reports: RunReport[] = JSON.parse(new TextDecoder().decode(out.stdout));
  const results = new Map<string, NbclientResult & { cells: number[] }>();
  for (const report of reports) {
    const isProbe = report.notebook === probe;
    const name = isProbe ? "probe (60 cells)" : report.notebook.replace(/^.*\//, "");
    const result = results.get(name) ?? {
      notebook: name,
      runs: 0,
      code_cells: report.code_cells,
      outputs_lost: 0,
      other_failures: [],
      median_cell_ms: 0,
      mean_cell_ms: 0,
      cells: [],
    };
    result.runs++;
    // The probe's every cell shows one output: an empty cell is a lost output. In a chapter,
    // count the outputs that came after their cell's idle.
    result.outputs_lost += isProbe
      ? report.cells_without_output.length
      : report.late_outputs.length;
    result.other_failures.push(...report.problems.filter((p) => !p.includes("output race")));
    result.cells.push(...report.cell_seconds);
    results.set(name, result);
  }
  console.error(`nbclient through ${kernel}: ${reports.length} runs`);
  return [...results.values()].map(({ cells, ...result }) => ({
    ...result,
    median_cell_ms: Math.round(median(cells) * 10_000) / 10,
    mean_cell_ms: Math.round(cells.reduce((a, b) => a + b, 0) / cells.length * 10_000) / 10,
  }));
}
