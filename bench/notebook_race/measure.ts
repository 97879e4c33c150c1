/**
 * Measures, in a real JupyterLab in a real (headless) Chromium, how often the Deno kernel's
 * "idle before last output" race leaves a cell without its output, and compares with the
 * notebook runner without its barrier (`tools/notebooks/run_notebooks.py --no-barrier`).
 *
 * Run from the repository root (see docs/notebook-output-race.md):
 *
 * ```sh
 * deno run -A bench/notebook_race/measure.ts
 * ```
 *
 * JupyterLab and Chromium are started the way the browser tests start them
 * (tests/jupyterlab.ts, tests/browser.ts): JupyterLab on a free loopback port with private
 * settings, the system's Chromium through the pinned playwright-core, every request not
 * bound for 127.0.0.1 aborted and counted.
 *
 * @module
 */

import type { Page } from "playwright-core";
import { openOfflineBrowser } from "../../tests/browser.ts";
import { openNotebook, startJupyterLab, startRunAll } from "../../tests/jupyterlab.ts";
import { raceNotebook } from "./race_notebook.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = new URL("./", import.meta.url).pathname;
const LAB_RUNS = Number(Deno.env.get("RACE_LAB_RUNS") ?? 5);
const WELCOME_RUNS = Number(Deno.env.get("RACE_WELCOME_RUNS") ?? 3);
const NBCLIENT_RUNS = Number(Deno.env.get("RACE_NBCLIENT_RUNS") ?? 5);
const RUN_DEADLINE_MS = 240_000;

/** One code cell after a run, as the learner sees it. */
interface CellView {
  index: number;
  count: number | null;
  modelOutputs: number;
  domOutputs: number;
  error: boolean;
}

function log(...parts: unknown[]) {
  console.error(new Date().toISOString().slice(11, 19), ...parts);
}

/** Restarts the kernel (unless first run), clears outputs, Run All, waits, and reports. */
async function runAll(page: Page, restart: boolean): Promise<CellView[]> {
  await startRunAll(page, restart);
  const started = Date.now();
  let stableSince = 0;
  let views: CellView[] = [];
  while (true) {
    if (Date.now() - started > RUN_DEADLINE_MS) {
      throw new Error(`Run All did not finish within ${RUN_DEADLINE_MS} ms`);
    }
    const snap = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const panel = (globalThis as any).jupyterapp.shell.currentWidget;
      const status = panel.sessionContext.session.kernel.status;
      // deno-lint-ignore no-explicit-any
      const cells = panel.content.widgets.map((cell: any, index: number) => {
        if (cell.model.type !== "code" || !cell.model.sharedModel.source.trim()) return null;
        const outputs = cell.model.outputs;
        let error = false;
        for (let i = 0; i < outputs.length; i++) error ||= outputs.get(i).type === "error";
        return {
          index,
          count: cell.model.executionCount,
          modelOutputs: outputs.length,
          domOutputs: cell.node.querySelectorAll(".jp-OutputArea-output").length,
          error,
          pending: cell.promptNode?.textContent?.includes("*") ?? false,
        };
      }).filter(Boolean);
      return { status, cells };
    });
    const done = snap.status === "idle" &&
      // deno-lint-ignore no-explicit-any
      snap.cells.every((c: any) => !c.pending) &&
      // deno-lint-ignore no-explicit-any
      (snap.cells.every((c: any) => c.count !== null) || snap.cells.some((c: any) => c.error));
    if (done) {
      stableSince ||= Date.now();
      // Idle with nothing pending for 2 s: late messages have had time to arrive (and be dropped).
      if (Date.now() - stableSince >= 2000) {
        // deno-lint-ignore no-explicit-any
        views = snap.cells.map(({ pending: _, ...c }: any) => c);
        break;
      }
    } else {
      stableSince = 0;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return views;
}

function summarize(views: CellView[]) {
  return {
    code_cells: views.length,
    executed: views.filter((v) => v.count !== null).length,
    empty_in_page: views.filter((v) => v.domOutputs === 0).map((v) => v.index),
    empty_in_model: views.filter((v) => v.modelOutputs === 0).map((v) => v.index),
    errors: views.filter((v) => v.error).map((v) => v.index),
  };
}

async function nbclientRuns(notebook: string) {
  const runs = [];
  for (let i = 0; i < NBCLIENT_RUNS; i++) {
    const out = await new Deno.Command(`${ROOT}/.venv/bin/python`, {
      args: ["tools/notebooks/run_notebooks.py", "--no-barrier", notebook],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    const [report] = JSON.parse(new TextDecoder().decode(out.stdout));
    runs.push({
      ok: report.ok,
      seconds: report.seconds,
      late_outputs: report.late_outputs.length,
      cells_with_late_output: report.cells_with_late_output,
      cells_without_output: report.cells_without_output,
      problems: report.problems,
    });
    log(`nbclient --no-barrier run ${i + 1}:`, JSON.stringify(runs.at(-1)));
  }
  return runs;
}

async function main() {
  const welcome = `${ROOT}/notebooks/00_welcome.ipynb`;
  const welcomeBefore = await Deno.readFile(welcome);
  const temp = await Deno.makeTempDir({ prefix: "notebook_race_" });
  // JupyterLab only opens files under its root: the probe notebook lives in a scratch
  // folder of this bench while it runs, and is removed at the end.
  const scratch = await Deno.makeTempDir({ dir: HERE, prefix: "scratch_" });
  const probe = `${scratch}/race60.ipynb`;
  const nbJson = JSON.stringify(raceNotebook(60), null, 1);
  await Deno.writeTextFile(probe, nbJson);
  await Deno.writeTextFile(`${temp}/race60.ipynb`, nbJson);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    cpus: navigator.hardwareConcurrency,
  };
  let labStop = "clean: every kernel shut down, no process left";
  const lab = await startJupyterLab();
  log("JupyterLab is up");
  const browser = await openOfflineBrowser();
  try {
    results.chromium = browser.context.browser()?.version() ?? "unknown";

    const rel = probe.slice(ROOT.length + 1);
    const page = await browser.newPage();
    await openNotebook(page, lab, rel);
    const labRuns = [];
    for (let i = 0; i < LAB_RUNS; i++) {
      const t0 = Date.now();
      const s = { run: i + 1, seconds: 0, ...summarize(await runAll(page, i > 0)) };
      s.seconds = (Date.now() - t0) / 1000;
      labRuns.push(s);
      log(`JupyterLab race60 run ${i + 1}:`, JSON.stringify(s));
    }
    results.jupyterlab_race60 = labRuns;
    await page.close();

    const wpage = await browser.newPage();
    await openNotebook(wpage, lab, "notebooks/00_welcome.ipynb");
    const welcomeRuns = [];
    for (let i = 0; i < WELCOME_RUNS; i++) {
      const t0 = Date.now();
      const s = { run: i + 1, seconds: 0, ...summarize(await runAll(wpage, i > 0)) };
      s.seconds = (Date.now() - t0) / 1000;
      welcomeRuns.push(s);
      log(`JupyterLab 00_welcome run ${i + 1}:`, JSON.stringify(s));
    }
    results.jupyterlab_welcome = welcomeRuns;
    results.welcome_rendering = await wpage.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const panel = (globalThis as any).jupyterapp.shell.currentWidget;
      // deno-lint-ignore no-explicit-any
      const cells = panel.content.widgets as any[];
      const find = (needle: string) =>
        cells.find((c) => c.model.sharedModel.source.includes(needle));
      const mermaid = find("sequenceDiagram(");
      const plot = find("histogram(");
      mermaid?.node.scrollIntoView({ block: "start" });
      return {
        // JupyterLab draws mermaid as an inline <svg> or as an <img> of one, depending on version.
        mermaid_svg: !!mermaid?.node.querySelector(
          ".jp-OutputArea-output svg, .jp-OutputArea-output img[src^='data:image/svg']",
        ),
        mermaid_output_classes: [
          ...(mermaid?.node.querySelectorAll(".jp-OutputArea-output") ??
            []),
        ].map((n) => (n as { className: string }).className),
        plotly_plot: !!plot?.node.querySelector(".js-plotly-plot .main-svg"),
        plot_output_classes: [...(plot?.node.querySelectorAll(".jp-OutputArea-output") ?? [])]
          .map((n) => (n as { className: string }).className),
      };
    });
    await new Promise((r) => setTimeout(r, 1000)); // let the scroll paint before the picture
    await wpage.screenshot({ path: `${temp}/welcome.jpg`, type: "jpeg", quality: 60 });
    results.screenshot_tmp = `${temp}/welcome.jpg`;
    await wpage.close();
  } finally {
    await browser[Symbol.asyncDispose]();
    try {
      await lab[Symbol.asyncDispose]();
    } catch (error) {
      labStop = (error as Error).message;
    }
    results.lab_stop = labStop;
    await Deno.remove(scratch, { recursive: true });
    results.blocked_requests = browser.blocked;
    const after = await Deno.readFile(welcome);
    results.welcome_file_unchanged = after.length === welcomeBefore.length &&
      after.every((b, i) => b === welcomeBefore[i]);
    log("stopped JupyterLab:", JSON.stringify(results.lab_stop));
  }

  results.nbclient_no_barrier_race60 = await nbclientRuns(`${temp}/race60.ipynb`);
  const out = `${HERE}results.json`;
  await Deno.writeTextFile(out, JSON.stringify(results, null, 1) + "\n");
  log(`wrote ${out}; scratch files in ${temp}`);
}

if (import.meta.main) await main();
