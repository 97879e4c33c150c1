/**
 * `deno task export [notebook...] [--out DIR]`: the course as HTML pages that work offline.
 *
 *   1. Run each notebook in the real Deno kernel through `run_notebooks.py` (its late-output
 *      barrier and leak checks included) and keep the executed copy.
 *   2. Convert the executed copies with nbconvert's HTMLExporter, lab template
 *      (`export_html.py`, template `html_template/course`).
 *   3. Ship mermaid and plotly.js from npm beside the pages (`web_assets.ts`), check that no
 *      page loads anything from outside the folder (`remote_loads.ts`), and write
 *      `index.html` (`site_index.ts`).
 *
 * Notebooks are named like `deno task notebooks` names them (`00_welcome`, or a path);
 * without names every notebook in `notebooks/` is exported. The pages go to `site/` unless
 * `--out` says otherwise. A notebook that fails, leaves a server or process behind, or a page
 * that would load a remote script fails the export.
 *
 * @module
 */

import { resolve } from "node:path";
import { ensureVenv, VENV_PYTHON } from "../venv.ts";
import { notebookPaths } from "./notebooks.ts";
import { remoteLoads } from "./remote_loads.ts";
import { indexPage, pageTitle, type SitePage } from "./site_index.ts";
import { describeFailure, runNotebooks, type RunReport } from "./runner.ts";
import { copyWebAssets, type WebAssetUrls } from "./web_assets.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = `${ROOT}/tools/notebooks`;
/** Where the pages go by default (git-ignored). */
export const DEFAULT_OUT = `${ROOT}/site`;
/** A file the export leaves in its folder, so that a later export may overwrite it. */
export const MARKER = ".course-export";
const USAGE = "usage: deno task export [notebook...] [--out DIR]";

/** What to export and where. */
export interface ExportOptions {
  /** Notebook names or paths as given; none means every notebook. */
  names: string[];
  /** Absolute path of the folder for the pages. */
  out: string;
}

/**
 * Read the task's arguments. Relative paths are relative to `cwd`: the folder the learner
 * ran `deno task` in (`INIT_CWD`), not the project root the task runs in.
 */
export function parseExportArgs(
  args: readonly string[],
  cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd(),
): ExportOptions {
  const names: string[] = [];
  let out = DEFAULT_OUT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--out" || arg.startsWith("--out=")) {
      const value = arg === "--out" ? args[++i] : arg.slice("--out=".length);
      if (!value || value.startsWith("-")) {
        throw new Error(`Cannot read arguments: --out needs a folder (${USAGE})`);
      }
      out = resolve(cwd, value);
    } else if (arg.startsWith("-")) {
      throw new Error(`Cannot read arguments: unknown option ${arg} (${USAGE})`);
    } else {
      names.push(arg.endsWith(".ipynb") ? resolve(cwd, arg) : arg);
    }
  }
  return { names, out };
}

/** The notebooks the names select, in course order; a name that selects none is an error. */
export function selectNotebooks(names: readonly string[]): string[] {
  for (const name of names) {
    if (notebookPaths([name]).length === 0) {
      throw new Error(`Cannot export ${name}: no notebook in notebooks/ matches it`);
    }
  }
  return notebookPaths([...names]);
}

/**
 * Make `out` ready for pages: create it, or reuse it when an earlier export wrote it. A
 * folder that holds other files is refused, since the export replaces `assets/` there.
 */
export async function prepareOutFolder(out: string): Promise<void> {
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(out)) entries.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (entries.length && !entries.includes(MARKER)) {
    throw new Error(
      `Cannot export to ${out}: the folder holds other files and no ${MARKER} ` +
        `(deno task export did not write it); choose a new or empty folder with --out`,
    );
  }
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(
    `${out}/${MARKER}`,
    "Written by deno task export; the next export may replace this folder's pages and assets/.\n",
  );
}

/** One exported page, as export_html.py reports it. */
interface ConvertedPage extends SitePage {
  notebook: string;
  plotly: boolean;
}

async function runPython(args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(VENV_PYTHON, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success && !text.trim().startsWith("[")) {
    throw new Error(`Cannot ${what}: ${args[0]} exited with ${out.code}\n${text}`);
  }
  return text;
}

async function convert(
  executed: string[],
  out: string,
  urls: WebAssetUrls,
): Promise<ConvertedPage[]> {
  const text = await runPython(
    [
      `${HERE}/export_html.py`,
      "--out",
      out,
      "--mermaid-url",
      urls.mermaid,
      "--mermaid-classic-url",
      urls.mermaidClassic,
      "--plotly-url",
      urls.plotly,
      ...executed,
    ],
    "convert the notebooks to HTML",
  );
  return JSON.parse(text);
}

/** Every page in the export folder (this export's and earlier ones'), with its title. */
async function pagesIn(out: string): Promise<SitePage[]> {
  const pages: SitePage[] = [];
  for await (const entry of Deno.readDir(out)) {
    if (!entry.isFile || !entry.name.endsWith(".html") || entry.name === "index.html") continue;
    const title = pageTitle(await Deno.readTextFile(`${out}/${entry.name}`));
    pages.push({ page: entry.name, title: title ?? entry.name.replace(/\.html$/, "") });
  }
  return pages;
}

/** What an export did. */
export interface ExportResult {
  pages: ConvertedPage[];
  runs: RunReport[];
  versions: WebAssetUrls["versions"];
  seconds: number;
}

/** Run, convert and write the pages; throws with every problem found. */
export async function exportNotebooks(options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const paths = selectNotebooks(options.names);
  if (paths.length === 0) throw new Error("Cannot export: notebooks/ holds no notebook");
  await prepareOutFolder(options.out);
  await ensureVenv();
  const urls = await copyWebAssets(options.out);
  const executed = await Deno.makeTempDir({ prefix: "course_export_" });
  try {
    const runs = await runNotebooks(paths, { writeExecuted: executed });
    const failed = runs.filter((r) => !r.ok || !r.executed_copy);
    if (failed.length) {
      throw new Error(
        `Cannot export: ${failed.length} notebook(s) failed in the kernel\n` +
          failed.map((report) => describeFailure(report)).join("\n"),
      );
    }
    const pages = await convert(runs.map((r) => r.executed_copy!), options.out, urls);
    const remote = [];
    for (const { page } of pages) {
      const loads = remoteLoads(await Deno.readTextFile(`${options.out}/${page}`));
      if (loads.length) remote.push(`${page}: ${loads.join(", ")}`);
    }
    if (remote.length) {
      throw new Error(`Cannot export: pages would load from outside\n${remote.join("\n")}`);
    }
    await Deno.writeTextFile(
      `${options.out}/index.html`,
      indexPage(await pagesIn(options.out), urls.versions),
    );
    return { pages, runs, versions: urls.versions, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Deno.remove(executed, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    const options = parseExportArgs(Deno.args);
    const result = await exportNotebooks(options);
    const shown = (path: string) =>
      path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
    for (const [i, page] of result.pages.entries()) {
      const run = result.runs[i];
      console.log(
        `✓ ${shown(run.notebook)} → ${shown(`${options.out}/${page.page}`)} ` +
          `(${run.code_cells} code cells, ${run.seconds} s in the kernel)`,
      );
    }
    const versions = Object.entries(result.versions).map(([n, v]) => `${n} ${v}`).join(", ");
    console.log(
      `export: ${result.pages.length} page(s) in ${result.seconds.toFixed(1)} s; ` +
        `open ${shown(options.out)}/index.html (works offline: ${versions} in assets/)`,
    );
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
