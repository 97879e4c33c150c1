/**
 * Measures, in a real JupyterLab in a real (headless) Chromium, whether every output lands
 * under the cell that produced it, with the course's kernel (tools/kernel/course_kernel.py)
 * and, for comparison, with Deno's own kernel; then plain nbclient through each. Quiet, and
 * with two CPU burners beside it. Writes bench/notebook_race/results.json and the results
 * section of docs/notebook-output-race.md (and the README's summary sentence) from the
 * numbers it measured.
 *
 * ```sh
 * deno run -A bench/notebook_race/measure.ts
 * ```
 *
 * Environment: RACE_PROBE_RUNS (10), RACE_CHAPTER_RUNS (6), RACE_NBCLIENT_RUNS (10),
 * RACE_RAW_PROBE_RUNS (5), RACE_RAW_CHAPTER_RUNS (2) per load; RACE_LOADS ("quiet,loaded").
 *
 * @module
 */

import type { Page } from "playwright-core";
import { openOfflineBrowser } from "../../tests/browser.ts";
import {
  attributeOutputs,
  type CellView,
  codeCells,
  openNotebook,
  recordKernelMessages,
  startJupyterLab,
  startRunAll,
  waitForRunAll,
} from "../../tests/jupyterlab.ts";
import { runNotebooksWith } from "./nbclient.ts";
import { expectedOutput, raceNotebook } from "./race_notebook.ts";
import { notebookPaths } from "../../tools/notebooks/notebooks.ts";
import { renderResults, type Results, type RunAllResult } from "./report.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = new URL("./", import.meta.url).pathname;
const env = (name: string, fallback: number) => Number(Deno.env.get(name) ?? fallback);
const PROBE_RUNS = env("RACE_PROBE_RUNS", 10);
const CHAPTER_RUNS = env("RACE_CHAPTER_RUNS", 6);
const NBCLIENT_RUNS = env("RACE_NBCLIENT_RUNS", 10);
const RAW_PROBE_RUNS = env("RACE_RAW_PROBE_RUNS", 5);
const RAW_CHAPTER_RUNS = env("RACE_RAW_CHAPTER_RUNS", 2);
const LOADS = (Deno.env.get("RACE_LOADS") ?? "quiet,loaded").split(",") as ("quiet" | "loaded")[];

function log(...parts: unknown[]) {
  console.error(new Date().toISOString().slice(11, 19), ...parts);
}

/** Processes that keep a core busy each, until disposed. */
function cpuBurners(count: number): AsyncDisposable {
  const children = Array.from(
    { length: count },
    () => new Deno.Command("sh", { args: ["-c", "while :; do :; done"], stdout: "null" }).spawn(),
  );
  return {
    async [Symbol.asyncDispose]() {
      for (const child of children) child.kill("SIGKILL");
      await Promise.all(children.map((child) => child.status));
    },
  };
}

/** A kernelspec folder with Deno's own kernel under the name `deno` (for the comparison). */
function rawKernelPath(): string {
  const dir = Deno.makeTempDirSync({ prefix: "raw_deno_kernel_" });
  Deno.mkdirSync(`${dir}/kernels/deno`, { recursive: true });
  Deno.mkdirSync(`${dir}/kernels/deno-raw`, { recursive: true });
  const spec = JSON.stringify({
    argv: [Deno.execPath(), "jupyter", "-q", "--kernel", "--conn", "{connection_file}"],
    env: { NO_COLOR: "1" },
    display_name: "Deno",
    language: "typescript",
  });
  Deno.writeTextFileSync(`${dir}/kernels/deno/kernel.json`, spec);
  Deno.writeTextFileSync(`${dir}/kernels/deno-raw/kernel.json`, spec);
  return dir;
}

/** Per notebook, per cell index: the output kinds the cell shows in most runs. */
type Usual = Map<string, Map<number, string>>;

/**
 * Restart (unless first) and Run All `runs` times; what each run showed. A chapter cell's
 * usual output is taken from `usual` when given (the course's kernel's runs), else from these.
 */
async function runAlls(
  page: Page,
  name: string,
  runs: number,
  probe: boolean,
  usual: Usual,
  learn: boolean,
) {
  const wire = recordKernelMessages(page);
  const results: { cells: CellView[]; outOfWindow: number; seconds: number }[] = [];
  for (let run = 0; run < runs; run++) {
    wire.length = 0;
    const started = performance.now();
    await startRunAll(page, run > 0);
    await waitForRunAll(page, { settleMs: 2000 });
    const seconds = (performance.now() - started - 2000) / 1000;
    const cells = await codeCells(page);
    const { outOfWindow } = attributeOutputs(wire);
    results.push({ cells, outOfWindow: outOfWindow.length, seconds });
    log(`${name} run ${run + 1}: ${outOfWindow.length} outputs outside their cell's run`);
  }
  // What each cell shows when nothing goes wrong: for the probe, known; for a chapter, the
  // output kinds the cell shows in most runs.
  const expected = (cell: CellView, all: CellView[][]) => {
    if (probe) return [expectedOutput(cell.index)].map((o) => `${o.type}:${o.text}`).join("|");
    if (!learn) return usual.get(name)?.get(cell.index);
    const seen = all.map((cells) =>
      cells.find((c) => c.index === cell.index)!.outputs.map((o) => o.type).join("|")
    );
    const most =
      seen.sort((a, b) =>
        seen.filter((s) => s === b).length - seen.filter((s) => s === a).length
      )[0];
    if (!usual.has(name)) usual.set(name, new Map());
    usual.get(name)!.set(cell.index, most);
    return most;
  };
  const shows = (cell: CellView) =>
    probe
      ? cell.outputs.map((o) => `${o.type}:${o.text}`).join("|")
      : cell.outputs.map((o) => o.type).join("|");
  const all = results.map((r) => r.cells);
  return results.map((r): RunAllResult => {
    const wrong = r.cells.filter((c) => shows(c) !== expected(c, all));
    return {
      notebook: name,
      seconds: Math.round(r.seconds * 10) / 10,
      code_cells: r.cells.length,
      empty: wrong.filter((c) => c.outputs.length === 0).map((c) => c.index),
      moved: wrong.filter((c) => c.outputs.length > 0).map((c) => c.index),
      out_of_window: r.outOfWindow,
      errors: r.cells.filter((c) => c.outputs.some((o) => o.type === "error")).map((c) => c.index),
    };
  });
}

/** Every notebook in one JupyterLab (Deno's own kernel when `rawKernels` is set). */
async function inJupyterLab(
  probe: string,
  probeRuns: number,
  chapterRuns: number,
  usual: Usual,
  rawKernels?: string,
): Promise<RunAllResult[]> {
  const lab = await startJupyterLab({ env: rawKernels ? { JUPYTER_PATH: rawKernels } : {} });
  const out: RunAllResult[] = [];
  try {
    await using browser = await openOfflineBrowser();
    const notebooks = [
      { path: probe, runs: probeRuns, probe: true },
      ...notebookPaths([]).map((path) => ({
        path: path.slice(ROOT.length + 1),
        runs: chapterRuns,
        probe: false,
      })),
    ];
    for (const { path, runs, probe } of notebooks) {
      if (runs === 0) continue;
      const page = await browser.newPage();
      await openNotebook(page, lab, path);
      const name = probe ? "probe (60 cells)" : path.replace(/^notebooks\//, "");
      out.push(...await runAlls(page, name, runs, probe, usual, !rawKernels));
      await page.evaluate(() =>
        // deno-lint-ignore no-explicit-any
        (globalThis as any).jupyterapp.shell.currentWidget.sessionContext.shutdown()
      );
      await page.close();
    }
    if (browser.blocked.length) throw new Error(`blocked requests: ${browser.blocked}`);
  } finally {
    await lab[Symbol.asyncDispose]();
  }
  return out;
}

async function main() {
  const scratch = await Deno.makeTempDir({ dir: HERE, prefix: "scratch_" });
  const probe = `${scratch}/race60.ipynb`;
  await Deno.writeTextFile(probe, JSON.stringify(raceNotebook(60), null, 1));
  const raw = rawKernelPath();
  const chromiumVersion = await (async () => {
    await using browser = await openOfflineBrowser();
    return browser.context.browser()?.version() ?? "unknown";
  })();
  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      cpus: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      chromium: chromiumVersion,
      load_average_at_start: Deno.loadavg(),
    },
    loads: {},
  };
  try {
    for (const load of LOADS) {
      log(`--- ${load}`);
      const loadAtStart = Deno.loadavg();
      await using _burners = cpuBurners(load === "loaded" ? 2 : 0);
      const rel = probe.slice(ROOT.length + 1);
      const usual: Usual = new Map();
      const course = await inJupyterLab(rel, PROBE_RUNS, CHAPTER_RUNS, usual);
      const deno = await inJupyterLab(rel, RAW_PROBE_RUNS, RAW_CHAPTER_RUNS, usual, raw);
      const chapters = notebookPaths([]);
      const nbclientCourse = await runNotebooksWith("deno", [probe, ...chapters], NBCLIENT_RUNS);
      const nbclientDeno = await runNotebooksWith("deno-raw", [probe, ...chapters], NBCLIENT_RUNS, {
        JUPYTER_PATH: raw,
      });
      results.loads[load] = {
        load_average_at_start: loadAtStart,
        jupyterlab: { course_kernel: course, deno_kernel: deno },
        nbclient: { course_kernel: nbclientCourse, deno_kernel: nbclientDeno },
      };
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
    await Deno.remove(raw, { recursive: true });
  }
  await Deno.writeTextFile(`${HERE}results.json`, JSON.stringify(results, null, 1) + "\n");
  await renderResults(results, `${ROOT}/docs/notebook-output-race.md`, `${ROOT}/README.md`);
  log("wrote bench/notebook_race/results.json, docs/notebook-output-race.md and README.md");
}

if (import.meta.main) await main();
