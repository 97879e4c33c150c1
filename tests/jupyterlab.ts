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
import { processesWith, waitForPort } from "../lib/daemon/mod.ts";
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

/**
 * Start JupyterLab with the repository (or `options.root`) as its root; resolves once it
 * serves. `options.env` is added to its environment (and so its kernels').
 */
export async function startJupyterLab(
  options: { root?: string; env?: Record<string, string> } = {},
): Promise<JupyterLab> {
  const root = options.root ?? ROOT;
  await ensureVenv({ quiet: true });
  const temp = await Deno.makeTempDir({ prefix: "jupyterlab_test_" });
  const settings = `${temp}/settings`;
  Deno.mkdirSync(`${temp}/workspaces`);
  // Never save (outputs must not reach notebooks/); keep every cell in the DOM. The news
  // pop-up is left to the course's own settings (tools/venv.ts), which the tests check.
  writeSettings(settings, "@jupyterlab/docmanager-extension:plugin", { autosave: false });
  writeSettings(settings, "@jupyterlab/notebook-extension:tracker", { windowingMode: "none" });
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
      ...options.env,
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
    // jupyter_server prints its URL, then binds the port on its next event-loop turn.
    await waitForPort(Number(new URL(base).port), { exited: child.status, timeoutMs: 30_000 });
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

/** One code cell as JupyterLab shows it. */
export interface CellView {
  index: number;
  id: string;
  executionCount: number | null;
  /** Each output's type and its text (stream text, text/plain, or the error's name and value). */
  outputs: { type: string; text: string }[];
  /** Output areas drawn in the page. */
  drawn: number;
  /** The text the page shows in the cell's outputs (for an error: its traceback). */
  drawnText: string;
}

/** The code cells of the open notebook, with what each shows. */
export async function codeCells(page: Page): Promise<CellView[]> {
  return await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const panel = (globalThis as any).jupyterapp.shell.currentWidget;
    // deno-lint-ignore no-explicit-any
    return panel.content.widgets.map((cell: any, index: number) => {
      if (cell.model.type !== "code" || !cell.model.sharedModel.source.trim()) return null;
      const outputs = [];
      for (let i = 0; i < cell.model.outputs.length; i++) {
        const json = cell.model.outputs.get(i).toJSON();
        const plain = json.data?.["text/plain"];
        const text = json.output_type === "stream"
          ? [json.text].flat().join("")
          : json.output_type === "error"
          ? `${json.ename}: ${json.evalue}`
          : [plain ?? ""].flat().join("");
        outputs.push({ type: json.output_type, text });
      }
      return {
        index,
        id: cell.model.id,
        executionCount: cell.model.executionCount,
        outputs,
        drawn: cell.node.querySelectorAll(".jp-OutputArea-output").length,
        drawnText: [...cell.node.querySelectorAll(".jp-OutputArea-output")]
          // deno-lint-ignore no-explicit-any
          .map((node: any) => node.innerText).join("\n"),
      };
    }).filter(Boolean);
  });
}

/**
 * Wait until Run All has finished: the kernel idle, no cell pending, every code cell run (or
 * one failed), and nothing changing for `settleMs` (time for late messages to arrive).
 */
export async function waitForRunAll(
  page: Page,
  options: { settleMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const { settleMs = 2000, timeoutMs = 240_000 } = options;
  const until = Date.now() + timeoutMs;
  let stableSince = 0;
  let last = "";
  while (true) {
    if (Date.now() > until) throw new Error(`Run All did not finish within ${timeoutMs} ms`);
    const snapshot = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const panel = (globalThis as any).jupyterapp.shell.currentWidget;
      // deno-lint-ignore no-explicit-any
      const cells = panel.content.widgets.filter((c: any) =>
        c.model.type === "code" && c.model.sharedModel.source.trim()
      );
      return {
        idle: panel.sessionContext.session?.kernel?.status === "idle",
        // deno-lint-ignore no-explicit-any
        pending: cells.some((c: any) => c.promptNode?.textContent?.includes("*")),
        // deno-lint-ignore no-explicit-any
        allRun: cells.every((c: any) => c.model.executionCount !== null),
        // deno-lint-ignore no-explicit-any
        failed: cells.some((c: any) => {
          for (let i = 0; i < c.model.outputs.length; i++) {
            if (c.model.outputs.get(i).type === "error") return true;
          }
          return false;
        }),
        // deno-lint-ignore no-explicit-any
        outputs: cells.map((c: any) => c.model.outputs.length).join(","),
      };
    });
    const done = snapshot.idle && !snapshot.pending && (snapshot.allRun || snapshot.failed);
    if (done && snapshot.outputs === last) {
      stableSince ||= Date.now();
      if (Date.now() - stableSince >= settleMs) return;
    } else {
      stableSince = 0;
    }
    last = snapshot.outputs;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Jupyter message as it crossed a kernel WebSocket between the page and the server. */
export interface WireMessage {
  direction: "sent" | "received";
  channel: string;
  msgType: string;
  msgId: string;
  parentId?: string;
  /** For requests JupyterLab sends for a cell (execute_request): that cell's id. */
  cellId?: string;
  // deno-lint-ignore no-explicit-any
  content: any;
}

/**
 * Record every message on the page's kernel WebSockets, as sent and received, whether the
 * JSON form or jupyter_server's binary v1 protocol is spoken.
 */
export function recordKernelMessages(page: Page): WireMessage[] {
  const log: WireMessage[] = [];
  page.on("websocket", (socket) => {
    if (!/\/api\/kernels\/[^/?]+\/channels/.test(socket.url())) return;
    const note =
      (direction: WireMessage["direction"]) => (frame: { payload: string | Uint8Array }) => {
        const message = decodeFrame(frame.payload);
        if (message) log.push({ direction, ...message });
      };
    socket.on("framesent", note("sent"));
    socket.on("framereceived", note("received"));
  });
  return log;
}

/** One WebSocket frame: JSON, or v1 (offset count, offsets, channel, header, parent, metadata, content). */
function decodeFrame(payload: string | Uint8Array): Omit<WireMessage, "direction"> | null {
  let channel: string;
  // deno-lint-ignore no-explicit-any
  let parts: any[];
  if (typeof payload === "string") {
    const message = JSON.parse(payload);
    channel = message.channel;
    parts = [message.header, message.parent_header, message.metadata, message.content];
  } else {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const count = Number(view.getBigUint64(0, true));
    const offsets = Array.from(
      { length: count },
      (_, i) => Number(view.getBigUint64(8 * (i + 1), true)),
    );
    const text = (i: number) =>
      new TextDecoder().decode(payload.subarray(offsets[i], offsets[i + 1]));
    channel = text(0);
    parts = [1, 2, 3, 4].map((i) => JSON.parse(text(i)));
  }
  const [header, parent, metadata, content] = parts;
  if (!header?.msg_type) return null;
  return {
    channel,
    msgType: header.msg_type,
    msgId: header.msg_id,
    parentId: parent?.msg_id,
    cellId: metadata?.cellId,
    content,
  };
}

/** Message types that put something in a cell's output area. */
const OUTPUT_TYPES = ["stream", "display_data", "execute_result", "error", "update_display_data"];

/** What the wire says about the outputs of each execute request. */
export interface Attribution {
  /** Cell id -> outputs that arrived while their request was running (what JupyterLab draws there). */
  inWindow: Map<string, number>;
  /**
   * Outputs that arrived before their request's execute_input (so another cell produced them:
   * JupyterLab draws them under the wrong cell) or after its idle (JupyterLab drops them).
   */
  outOfWindow: { cellId: string; msgType: string; when: "before its input" | "after its idle" }[];
}

/** Check every output's parent header against the request, and so the cell, it names. */
export function attributeOutputs(log: readonly WireMessage[]): Attribution {
  const requests = new Map<string, { cellId: string; state: "sent" | "running" | "idle" }>();
  const inWindow = new Map<string, number>();
  const outOfWindow: Attribution["outOfWindow"] = [];
  for (const message of log) {
    if (message.direction === "sent") {
      if (message.msgType === "execute_request") {
        requests.set(message.msgId, { cellId: message.cellId ?? "?", state: "sent" });
      }
      continue;
    }
    const request = message.parentId ? requests.get(message.parentId) : undefined;
    if (!request || message.channel !== "iopub") continue;
    if (message.msgType === "execute_input") request.state = "running";
    else if (message.msgType === "status" && message.content.execution_state === "idle") {
      request.state = "idle";
    } else if (OUTPUT_TYPES.includes(message.msgType)) {
      if (request.state === "running") {
        inWindow.set(request.cellId, (inWindow.get(request.cellId) ?? 0) + 1);
      } else {
        outOfWindow.push({
          cellId: request.cellId,
          msgType: message.msgType,
          when: request.state === "sent" ? "before its input" : "after its idle",
        });
      }
    }
  }
  return { inWindow, outOfWindow };
}
