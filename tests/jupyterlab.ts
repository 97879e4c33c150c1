/**
 * JupyterLab from the course's `.venv`, for tests that look at notebooks the way a learner
 * does: on 127.0.0.1, on a free port, with a random token, with its settings, workspaces and
 * runtime files in a temporary folder, and never saving a notebook.
 *
 * Disposing it shuts every kernel down through the server's API, stops the server, and
 * checks that no process it started is left (they are found by a marker in their inherited
 * environment); stragglers are killed and reported as an error.
 *
 * @module
 */

import type { Page } from "playwright-core";
import { processesWith } from "../lib/daemon/mod.ts";
import { ensureVenv, VENV } from "../tools/venv.ts";
import { withTimeout } from "../lib/net/timeout.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** A running JupyterLab. */
export interface JupyterLab extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  base: string;
  token: string;
  /** The URL that opens `path` (relative to the repository) in JupyterLab. */
  urlOf(path: string): string;
}

function writeSettings(folder: string, plugin: string, value: unknown): void {
  const [pkg, name] = plugin.split(":");
  Deno.mkdirSync(`${folder}/${pkg}`, { recursive: true });
  Deno.writeTextFileSync(`${folder}/${pkg}/${name}.jupyterlab-settings`, JSON.stringify(value));
}

/** Start JupyterLab with the repository (or `options.root`) as its root; resolves once it serves. */
export async function startJupyterLab(options: { root?: string } = {}): Promise<JupyterLab> {
  const root = options.root ?? ROOT;
  await ensureVenv({ quiet: true });
  const temp = await Deno.makeTempDir({ prefix: "jupyterlab_test_" });
  const settings = `${temp}/settings`;
  // Never save (outputs must not reach notebooks/); keep every cell in the DOM; no news.
  writeSettings(settings, "@jupyterlab/docmanager-extension:plugin", { autosave: false });
  writeSettings(settings, "@jupyterlab/notebook-extension:tracker", { windowingMode: "none" });
  writeSettings(settings, "@jupyterlab/apputils-extension:notification", {
    fetchNews: "false",
    checkForUpdates: false,
  });
  const token = [...crypto.getRandomValues(new Uint8Array(24))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const marker = `COURSE_JUPYTERLAB_TEST=${crypto.randomUUID()}`;
  const child = new Deno.Command(`${VENV}/bin/jupyter`, {
    args: [
      "lab",
      "--ip=127.0.0.1",
      "--port=0",
      "--port-retries=0",
      "--no-browser",
      `--ServerApp.root_dir=${root}`,
      `--IdentityProvider.token=${token}`,
      `--LabApp.user_settings_dir=${settings}`,
      `--LabApp.workspaces_dir=${temp}/workspaces`,
      // JupyterLab checkpoints a notebook when it opens it: not in the repository's folders.
      `--FileCheckpoints.checkpoint_dir=${temp}/checkpoints`,
      "--LabApp.expose_app_in_browser=True",
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    cwd: root,
    env: {
      JUPYTER_PREFER_ENV_PATH: "1",
      JUPYTER_RUNTIME_DIR: `${temp}/runtime`,
      JUPYTER_CONFIG_DIR: `${temp}/config`,
      [marker.split("=")[0]]: marker.split("=")[1],
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  // JupyterLab prints its URL (with the port the system chose) on stderr.
  const log: string[] = [];
  const listening = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let buffered = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        const url = line.match(/http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=/);
        if (url) listening.resolve(`http://127.0.0.1:${url[1]}`);
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) => listening.reject(new Error(`JupyterLab exited with ${s.code}`)));

  async function stop(): Promise<void> {
    const base = await listening.promise.catch(() => null);
    const problems: string[] = [];
    if (base) {
      try {
        const headers = { Authorization: `token ${token}` };
        const sessions = await withTimeout(
          fetch(`${base}/api/sessions`, { headers }).then((r) => r.json()),
          10_000,
          "list JupyterLab's sessions",
        );
        for (const session of sessions) {
          const response = await fetch(`${base}/api/sessions/${session.id}`, {
            method: "DELETE",
            headers,
          });
          await response.body?.cancel();
        }
      } catch (error) {
        problems.push(`Cannot shut the kernels down: ${(error as Error).message}`);
      }
    }
    try {
      child.kill("SIGTERM"); // JupyterLab stops at once, shutting its kernels down
    } catch {
      // already exited
    }
    await withTimeout(child.status, 20_000, "stop JupyterLab").catch((error) => {
      problems.push((error as Error).message);
      child.kill("SIGKILL");
    });
    await pumps;
    // Kernels take a moment to exit after the server; then nothing of ours may be left.
    const until = Date.now() + 10_000;
    let left = await processesWith(marker);
    while (left.length && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await processesWith(marker);
    }
    for (const pid of left) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    if (left.length) problems.push(`JupyterLab left processes behind: ${left.join(", ")}`);
    await Deno.remove(temp, { recursive: true });
    if (problems.length) throw new Error(problems.join("\n"));
  }

  let base: string;
  try {
    base = await withTimeout(listening.promise, 60_000, "start JupyterLab");
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${(error as Error).message}\n${log.slice(-20).join("\n")}`);
  }
  return {
    base,
    token,
    urlOf: (path) => `${base}/lab/tree/${path}?token=${token}&reset`,
    [Symbol.asyncDispose]: stop,
  };
}

/** Open `path` (relative to the repository) in `page` and wait until its kernel is idle. */
export async function openNotebook(page: Page, lab: JupyterLab, path: string): Promise<void> {
  await page.goto(lab.urlOf(path), { timeout: 60_000 });
  await page.waitForFunction(
    () => {
      // deno-lint-ignore no-explicit-any
      const panel = (globalThis as any).jupyterapp?.shell?.currentWidget;
      return panel?.context?.isReady && panel.sessionContext?.session?.kernel?.status === "idle";
    },
    undefined,
    { timeout: 90_000, polling: 250 },
  );
}

/**
 * Clear every output and start Run All in the open notebook, restarting the kernel first
 * when `restart` is set. Returns at once: the caller watches the cells.
 */
export async function startRunAll(page: Page, restart: boolean): Promise<void> {
  await page.evaluate(async (restart: boolean) => {
    // deno-lint-ignore no-explicit-any
    const app = (globalThis as any).jupyterapp;
    const panel = app.shell.currentWidget;
    if (restart) await panel.sessionContext.session.kernel.restart();
    for (const cell of panel.content.widgets) {
      if (cell.model.type !== "code") continue;
      cell.model.outputs.clear();
      cell.model.executionCount = null;
    }
    app.commands.execute("notebook:run-all-cells"); // not awaited: the cells are watched instead
  }, restart);
}
