/**
 * The course's kernel (tools/kernel/course_kernel.py) in JupyterLab in a real (headless)
 * Chromium, as a learner meets it: no news pop-up on a fresh start, Restart and Run All puts
 * every output under its own cell (checked against the parent header of every output on the
 * kernel's WebSocket), and Kernel → Interrupt stops a cell without killing the kernel
 * silently. The full measurement (every chapter, under load) is bench/notebook_race/.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { openOfflineBrowser } from "./browser.ts";
import {
  attributeOutputs,
  codeCells,
  openNotebook,
  recordKernelMessages,
  startJupyterLab,
  startRunAll,
  waitForRunAll,
  type WireMessage,
} from "./jupyterlab.ts";
import { requireTool } from "./tools.ts";
import { processesWith } from "../lib/daemon/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";
import { expectedOutput, raceNotebook } from "../bench/notebook_race/race_notebook.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const PROBE_CELLS = 60;
const PROBE_RUNS = 3;

/** A notebook of code cells for the Deno kernel. */
function notebook(sources: string[]) {
  const nb = raceNotebook(sources.length);
  nb.cells.forEach((cell, i) => cell.source = sources[i]);
  return nb;
}

/** The interrupt scenarios: a course wait (withTimeout), then a plain 30 s timer. */
const INTERRUPT_CELLS = [
  `import { withTimeout } from "${ROOT}/lib/net/mod.ts";\nconst kept = "kept";`,
  `await withTimeout(new Promise(() => {}), 30_000, "a reply that never comes")`,
  `kept`,
  `await new Promise((resolve) => setTimeout(resolve, 30_000))`,
  `kept + " again"`,
];

/** Resolves once `predicate` holds for a message on the wire. */
async function waitForWire(log: WireMessage[], predicate: (m: WireMessage) => boolean) {
  const until = Date.now() + 60_000;
  while (!log.some(predicate)) {
    if (Date.now() > until) throw new Error("the awaited kernel message never came");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves once the kernel has started running the code cell at `index`. */
async function waitUntilRunning(page: Page, log: WireMessage[], index: number) {
  const { id } = (await codeCells(page)).find((c) => c.index === index)!;
  await waitForWire(log, (m) => m.msgType === "execute_request" && m.cellId === id);
  const request = log.findLast((m) => m.msgType === "execute_request" && m.cellId === id)!;
  await waitForWire(log, (m) => m.msgType === "execute_input" && m.parentId === request.msgId);
}

/** Queue the code cells at `indexes`, as Shift+Enter on each would (without waiting for them). */
async function runCells(page: Page, indexes: number[]) {
  await page.evaluate((indexes: number[]) => {
    // deno-lint-ignore no-explicit-any
    const app = (globalThis as any).jupyterapp;
    for (const index of indexes) {
      app.shell.currentWidget.content.activeCellIndex = index;
      app.commands.execute("notebook:run-cell"); // takes the active cell at once
    }
  }, indexes);
}

/** Kernel → Interrupt, as the menu does it. */
async function interrupt(page: Page) {
  await page.evaluate(() =>
    // deno-lint-ignore no-explicit-any
    (globalThis as any).jupyterapp.commands.execute("kernelmenu:interrupt")
  );
}

/** What the page shows under the code cell at `index`. */
async function shown(page: Page, index: number): Promise<string> {
  return (await codeCells(page)).find((c) => c.index === index)!.drawnText.trim();
}

/** No "kernel died" dialog, and the kernel is ready. */
async function kernelAlive(page: Page) {
  const state = await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const { jupyterapp, document } = globalThis as any;
    return {
      status: jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status,
      dialogs: document.querySelectorAll(".jp-Dialog").length,
      died: /appears to have died/.test(document.body.innerText),
    };
  });
  assert.deepEqual(state, { status: "idle", dialogs: 0, died: false });
}

Deno.test({
  name:
    "deno task start, for a learner with a fresh home folder, opens JupyterLab without the news pop-up",
  ...requireTool("chromium"),
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "browser_news_test_" });
    const marker = `COURSE_NEWS_TEST=${crypto.randomUUID()}`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "start", "--port=0"],
      cwd: ROOT,
      env: { HOME: home, [marker.split("=")[0]]: marker.split("=")[1] },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const url = Promise.withResolvers<string>();
    let printed = "";
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        printed += text;
        const found = printed.match(/http:\/\/127\.0\.0\.1:\d+\/lab\S*\?token=\w+/);
        if (found) url.resolve(found[0]);
      }
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    child.status.then((s) => url.reject(new Error(`deno task start exited with ${s.code}`)));
    try {
      await using browser = await openOfflineBrowser();
      const page = await browser.newPage();
      await page.goto(await withTimeout(url.promise, 90_000, "JupyterLab's URL"), {
        timeout: 60_000,
      });
      // The chapter deno task start opens is drawn: the app has started.
      await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { timeout: 90_000 });
      // Without the course's settings the question shows within a few seconds of this point.
      await new Promise((resolve) => setTimeout(resolve, 8000));
      const text: string = await page.evaluate(() =>
        // deno-lint-ignore no-explicit-any
        (globalThis as any).document.body.innerText
      );
      assert.doesNotMatch(text, /official Jupyter news/);
    } finally {
      child.kill("SIGTERM");
      await withTimeout(child.status, 30_000, "deno task start to stop");
      await pumps;
      await Deno.remove(home, { recursive: true });
    }
    assert.deepEqual(await processesWith(marker), [], "nothing of JupyterLab is left running");
  },
});

Deno.test({
  name: "JupyterLab with the course's kernel: outputs under their cells, safe interrupts",
  ...requireTool("chromium"),
  async fn(t) {
    // JupyterLab opens files under its root only: a scratch root with the two notebooks.
    const root = await Deno.makeTempDir({ prefix: "browser_kernel_test_" });
    await Deno.writeTextFile(`${root}/probe.ipynb`, JSON.stringify(raceNotebook(PROBE_CELLS)));
    await Deno.writeTextFile(`${root}/interrupt.ipynb`, JSON.stringify(notebook(INTERRUPT_CELLS)));
    const lab = await startJupyterLab({ root });
    try {
      await using browser = await openOfflineBrowser();
      const page = await browser.newPage();
      const wire = recordKernelMessages(page);
      await openNotebook(page, lab, "probe.ipynb");

      await t.step(
        `${PROBE_RUNS} Restart and Run All of ${PROBE_CELLS} cells: each shows its own output, every output's parent is its cell`,
        async () => {
          for (let run = 0; run < PROBE_RUNS; run++) {
            wire.length = 0;
            await startRunAll(page, run > 0);
            await waitForRunAll(page, { settleMs: 1500 });
            const cells = await codeCells(page);
            assert.equal(cells.length, PROBE_CELLS);
            const wrong = cells.filter((cell) =>
              JSON.stringify(cell.outputs) !== JSON.stringify([expectedOutput(cell.index)]) ||
              cell.drawn !== 1
            );
            assert.deepEqual(wrong, [], `run ${run + 1}: cells not showing exactly their output`);
            const { inWindow, outOfWindow } = attributeOutputs(wire);
            assert.deepEqual(outOfWindow, [], `run ${run + 1}: outputs outside their cell's run`);
            for (const cell of cells) {
              assert.equal(
                inWindow.get(cell.id),
                1,
                `run ${run + 1}: cell ${cell.index} on the wire`,
              );
            }
          }
        },
      );
      await page.close();

      const nb = await browser.newPage();
      const log = recordKernelMessages(nb);
      await openNotebook(nb, lab, "interrupt.ipynb");

      await t.step(
        "Interrupt during a course wait ends that cell, cancels the queued cells, keeps the state",
        async () => {
          await startRunAll(nb, false);
          await waitUntilRunning(nb, log, 1);
          const started = performance.now();
          await interrupt(nb);
          await waitForRunAll(nb, { settleMs: 1000 });
          assert.ok(performance.now() - started < 10_000, "the wait ended promptly");
          assert.match(await shown(nb, 1), /InterruptedError: Interrupted: Kernel → Interrupt/);
          for (const index of [2, 3, 4]) {
            assert.match(await shown(nb, index), /Not run: Kernel -> Interrupt stopped the cells/);
          }
          await kernelAlive(nb);
          await runCells(nb, [2]);
          await waitForRunAll(nb, { settleMs: 500 });
          assert.equal(await shown(nb, 2), '"kept"');
        },
      );

      await t.step(
        "Interrupt during a plain 30 s timer restarts the kernel and says which cell to run",
        async () => {
          await runCells(nb, [3, 4]);
          await waitUntilRunning(nb, log, 3);
          const started = performance.now();
          await interrupt(nb);
          await waitForRunAll(nb, { settleMs: 1000 });
          assert.ok(performance.now() - started < 20_000, "the cell ended well before 30 s");
          const said = await shown(nb, 3);
          assert.match(said, /this cell did not stop, so the Deno kernel was restarted/);
          assert.match(said, /run the notebook's first code cell again/);
          assert.match(said, /begins `import \{ withTimeout \}/);
          assert.match(await shown(nb, 4), /Not run: Kernel -> Interrupt/);
          await kernelAlive(nb);
          await runCells(nb, [2]);
          await waitForRunAll(nb, { settleMs: 500 });
          assert.match(await shown(nb, 2), /ReferenceError: kept is not defined/);
          await runCells(nb, [0, 2]); // what the message says to do
          await waitForRunAll(nb, { settleMs: 500 });
          assert.equal(await shown(nb, 2), '"kept"');
          await kernelAlive(nb);
        },
      );

      await t.step("no page error, nothing requested from outside 127.0.0.1", () => {
        assert.deepEqual(browser.blocked, []);
        assert.deepEqual(browser.problems, []);
      });
    } finally {
      await lab[Symbol.asyncDispose]();
      await Deno.remove(root, { recursive: true });
    }
  },
});
