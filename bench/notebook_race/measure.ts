/**
 * Measures, in a real JupyterLab in a real (headless) Chromium, how often the Deno kernel's
 * "idle before last output" race leaves a cell without its output, and compares with the
 * notebook runner without its barrier (`tools/notebooks/run_notebooks.py --no-barrier`).
 *
 * Run from the repository root (see docs/notebook-output-race.md):
 *
 * ```sh
 * deno run -A --no-lock --node-modules-dir=none bench/notebook_race/measure.ts
 * ```
 *
 * `--no-lock` and `--node-modules-dir=none` keep playwright-core out of the project's lock
 * file and node_modules; it is loaded by a computed dynamic import so that `deno check` of
 * the project never resolves it. Chromium never downloads anything: the system browser
 * is used and every request not bound for 127.0.0.1 is aborted and counted.
 *
 * @module
 */

import { raceNotebook } from "./race_notebook.ts";

const PLAYWRIGHT = "npm:playwright-core@1.65.1";
const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = new URL("./", import.meta.url).pathname;
const PORT = Number(Deno.env.get("RACE_PORT") ?? 8890);
const LAB_RUNS = Number(Deno.env.get("RACE_LAB_RUNS") ?? 5);
const WELCOME_RUNS = Number(Deno.env.get("RACE_WELCOME_RUNS") ?? 3);
const NBCLIENT_RUNS = Number(Deno.env.get("RACE_NBCLIENT_RUNS") ?? 5);
const RUN_DEADLINE_MS = 240_000;

// The few playwright shapes used here (the module is imported dynamically, untyped).
interface Page {
  goto(url: string, o?: { timeout?: number }): Promise<unknown>;
  // deno-lint-ignore no-explicit-any
  evaluate<T>(fn: (arg: any) => T | Promise<T>, arg?: unknown): Promise<T>;
  waitForFunction(fn: string, arg?: unknown, o?: { timeout?: number }): Promise<unknown>;
  screenshot(o: { path: string; type: "jpeg" | "png"; quality?: number }): Promise<unknown>;
  setViewportSize(s: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
}
interface Route {
  request(): { url(): string };
  continue(): Promise<void>;
  abort(): Promise<void>;
}
interface Context {
  newPage(): Promise<Page>;
  route(glob: string, handler: (route: Route) => unknown): Promise<void>;
  browser(): { version(): string } | null;
  close(): Promise<void>;
}

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

async function withDeadline<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every descendant pid of `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      parent.set(Number(entry.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // process ended meanwhile
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    for (const [child, pp] of parent) if (pp === p) out.push(child), todo.push(child);
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Starts `deno task start` on PORT with private settings; resolves once the URL is printed. */
async function startLab(temp: string) {
  const settings = `${temp}/user-settings`;
  const write = (plugin: string, value: unknown) => {
    Deno.mkdirSync(`${settings}/${plugin.split(":")[0]}`, { recursive: true });
    Deno.writeTextFileSync(
      `${settings}/${plugin.replace(":", "/")}.jupyterlab-settings`,
      JSON.stringify(value),
    );
  };
  // Never save a notebook (outputs must not reach notebooks/), keep every cell in the DOM.
  write("@jupyterlab/docmanager-extension:plugin", { autosave: false });
  write("@jupyterlab/notebook-extension:tracker", { windowingMode: "none" });
  write("@jupyterlab/apputils-extension:notification", {
    fetchNews: "false",
    checkForUpdates: false,
  });
  const child = new Deno.Command("deno", {
    args: [
      "task",
      "start",
      "--port",
      String(PORT),
      "--port-retries=0",
      `--LabApp.user_settings_dir=${settings}`,
      `--LabApp.workspaces_dir=${temp}/workspaces`,
      "--LabApp.expose_app_in_browser=True",
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let url = "";
  const lines: string[] = [];
  const found = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        const m = line.match(/http:\/\/127\.0\.0\.1:\d+\/lab\S*\?token=([0-9a-f]+)/);
        if (m && !url) found.resolve(url = m[0]);
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) => found.reject(new Error(`JupyterLab exited early (${s.code})`)));
  await withDeadline("JupyterLab to print its URL", 120_000, found.promise).catch((e) => {
    console.error(lines.join("\n"));
    throw e;
  });
  const token = new URL(url).searchParams.get("token")!;
  return { child, token, lines, pumps };
}

async function stopLab(lab: Awaited<ReturnType<typeof startLab>>) {
  const base = `http://127.0.0.1:${PORT}`;
  const headers = { Authorization: `token ${lab.token}` };
  // Shut every kernel down through the server first, then SIGINT the server.
  try {
    const sessions = await (await fetch(`${base}/api/sessions`, { headers })).json();
    for (const s of sessions) {
      await (await fetch(`${base}/api/sessions/${s.id}`, { method: "DELETE", headers })).body
        ?.cancel();
    }
  } catch (e) {
    log("could not list sessions:", (e as Error).message);
  }
  const tree = [lab.child.pid, ...descendants(lab.child.pid)];
  lab.child.kill("SIGINT");
  const exited = await withDeadline("JupyterLab to exit after SIGINT", 20_000, lab.child.status)
    .catch(() => null);
  // deno task forwards the signal; make sure nothing of the tree is left either way.
  for (const pid of tree) {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const until = Date.now() + 5000;
      while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (!alive(pid)) break;
      log(`pid ${pid} still running, sending ${sig}`);
      try {
        Deno.kill(pid, sig);
      } catch { /* gone */ }
    }
  }
  await lab.pumps;
  return { exitCode: exited?.code ?? null, leftover: tree.filter(alive) };
}

/** Opens a notebook in a fresh page and waits for its kernel to be idle. */
async function openNotebook(ctx: Context, token: string, path: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.goto(`http://127.0.0.1:${PORT}/lab/tree/${path}?token=${token}&reset`, {
    timeout: 60_000,
  });
  await page.waitForFunction(
    `(() => { const w = window.jupyterapp?.shell?.currentWidget;
      return !!(w && w.sessionContext && w.context && w.context.isReady &&
        w.sessionContext.session?.kernel?.status === "idle"); })()`,
    undefined,
    { timeout: 90_000 },
  );
  return page;
}

/** Restarts the kernel (unless first run), clears outputs, Run All, waits, and reports. */
async function runAll(page: Page, restart: boolean): Promise<CellView[]> {
  await page.evaluate(async (restart: boolean) => {
    // deno-lint-ignore no-explicit-any
    const app = (globalThis as any).jupyterapp;
    const panel = app.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    if (restart) await kernel.restart();
    for (const cell of panel.content.widgets) {
      if (cell.model.type !== "code") continue;
      cell.model.outputs.clear();
      cell.model.executionCount = null;
    }
    app.commands.execute("notebook:run-all-cells"); // not awaited: we watch the cells instead
  }, restart);
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
  const lab = await startLab(temp);
  log("JupyterLab is up");
  const blocked: string[] = [];
  let ctx: Context | undefined;
  const profile = await Deno.makeTempDir({ prefix: "chromium_profile_" });
  try {
    const { chromium } = await import(PLAYWRIGHT);
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      acceptDownloads: false,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }) as Context;
    await ctx.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    results.chromium = ctx.browser()?.version() ?? "unknown";

    const rel = probe.slice(ROOT.length + 1);
    const page = await openNotebook(ctx, lab.token, rel);
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

    const wpage = await openNotebook(ctx, lab.token, "notebooks/00_welcome.ipynb");
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
    await ctx?.close();
    await Deno.remove(profile, { recursive: true });
    results.lab_stop = await stopLab(lab);
    await Deno.remove(scratch, { recursive: true });
    results.blocked_requests = blocked;
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
