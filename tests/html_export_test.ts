/**
 * What a reader sees: chapter 0's mermaid sequence diagram and plotly histogram, drawn in a
 * real (headless) Chromium, in the page `deno task export` writes and in JupyterLab itself.
 * Both pages must load nothing from outside 127.0.0.1.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { openOfflineBrowser, serveFolder } from "./browser.ts";
import { openNotebook, startJupyterLab, startRunAll } from "./jupyterlab.ts";
import { requireTool, runOk } from "./tools.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const WELCOME = "notebooks/00_welcome.ipynb";
/** The participants chapter 0's sequence diagram shows. */
const PARTICIPANTS = ["client", "server"];

/** The text of an SVG drawn inline or as an `<img>` of a data: URL, as mermaid renderers do. */
async function svgText(page: Page, container: string): Promise<string> {
  return await page.evaluate((selector: string) => {
    // This runs in the page, where the DOM is (Deno's type checker does not know it).
    // deno-lint-ignore no-explicit-any
    const { document, DOMParser } = globalThis as any;
    const root = document.querySelector(selector);
    const img = root?.querySelector("img[src^='data:image/svg+xml']");
    if (img) {
      if (!img.complete || img.naturalWidth === 0) return "";
      const src = img.getAttribute("src")!;
      const data = src.slice(src.indexOf(",") + 1);
      const svg = src.slice(0, src.indexOf(",")).endsWith(";base64")
        ? atob(data)
        : decodeURIComponent(data);
      return new DOMParser().parseFromString(svg, "image/svg+xml").documentElement.textContent ??
        "";
    }
    return root?.querySelector("svg")?.textContent ?? "";
  }, container);
}

Deno.test({
  name: "the exported chapter 0 draws its sequence diagram and chart offline in Chromium",
  ...requireTool("chromium"),
  async fn(t) {
    const out = await Deno.makeTempDir({ prefix: "html_export_test_" });
    try {
      const started = performance.now();
      await runOk(Deno.execPath(), ["task", "export", WELCOME, "--out", `${out}/site`], {
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        timeoutMs: 600_000,
      });
      console.log(`export: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const site = `${out}/site`;
      await t.step("the page and mermaid's chunks and plotly.js are in the folder", async () => {
        for (const file of ["index.html", "00_welcome.html", "assets/plotly/plotly.min.js"]) {
          assert.ok((await Deno.stat(`${site}/${file}`)).isFile, file);
        }
        const html = await Deno.readTextFile(`${site}/00_welcome.html`);
        assert.match(html, /import\("\.\/assets\/mermaid\/mermaid\.esm\.min\.mjs"\)/);
        assert.match(html, /<script src="\.\/assets\/plotly\/plotly\.min\.js"><\/script>/);
      });

      const browserStarted = performance.now();
      await using server = serveFolder(site);
      await using browser = await openOfflineBrowser();
      const page = await browser.newPage();
      await page.goto(`${server.url}00_welcome.html`, { timeout: 30_000 });

      await t.step(
        "mermaid turned the sequence diagram into an SVG with the participants",
        async () => {
          await page.waitForSelector(
            ".jp-RenderedMermaid figure, .jp-RenderedMermaid.jp-mod-warning",
            {
              state: "attached",
              timeout: 30_000,
            },
          );
          assert.equal(await page.locator(".jp-Mermaid.jp-mod-warning").count(), 0);
          const text = await svgText(page, ".jp-RenderedMermaid");
          for (const name of PARTICIPANTS) assert.ok(text.includes(name), `no ${name} in: ${text}`);
          assert.match(text, /ECHO hello, loopback/);
          // Served over HTTP, the page uses the ESM build, which loads its chunks.
          assert.ok(server.requested.some((p) => p.startsWith("/assets/mermaid/chunks/")));
          assert.ok(!server.requested.includes("/assets/mermaid/mermaid.min.js"));
        },
      );

      await t.step("plotly.js drew the histogram in the fallback's div", async () => {
        await page.waitForSelector(".course-plotly .main-svg", {
          state: "attached",
          timeout: 30_000,
        });
        const bars = await page.locator(".course-plotly .trace.bars .point").count();
        assert.ok(bars > 0, "the histogram has no bars");
      });

      await t.step("opened from disk (file://), the page still draws both", async () => {
        const fromDisk = await browser.newPage();
        await fromDisk.goto(`file://${site}/00_welcome.html`, { timeout: 30_000 });
        await fromDisk.waitForSelector(".jp-RenderedMermaid figure, .jp-mod-warning", {
          state: "attached",
          timeout: 30_000,
        });
        const text = await svgText(fromDisk, ".jp-RenderedMermaid");
        for (const name of PARTICIPANTS) assert.ok(text.includes(name), `no ${name} in: ${text}`);
        await fromDisk.waitForSelector(".course-plotly .main-svg", {
          state: "attached",
          timeout: 30_000,
        });
        await fromDisk.close();
      });

      await t.step("the index links the page", async () => {
        await page.goto(`${server.url}index.html`, { timeout: 30_000 });
        assert.equal(await page.locator(`a[href="00_welcome.html"]`).count(), 1);
      });

      await t.step("nothing was requested from outside 127.0.0.1, and no page error", () => {
        assert.deepEqual(browser.blocked, []);
        assert.deepEqual(browser.problems, []);
      });
      console.log(`browser check: ${((performance.now() - browserStarted) / 1000).toFixed(1)} s`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

/** Run every cell (restarting the kernel first unless `fresh`), and wait until all ran. */
async function runAll(page: Page, fresh: boolean): Promise<void> {
  await startRunAll(page, !fresh);
  await page.waitForFunction(
    () => {
      // deno-lint-ignore no-explicit-any
      const panel = (globalThis as any).jupyterapp.shell.currentWidget;
      if (panel.sessionContext.session?.kernel?.status !== "idle") return false;
      // deno-lint-ignore no-explicit-any
      return panel.content.widgets.every((cell: any) =>
        cell.model.type !== "code" || !cell.model.sharedModel.source.trim() ||
        (cell.model.executionCount !== null && !cell.promptNode?.textContent?.includes("*"))
      );
    },
    undefined,
    { timeout: 120_000, polling: 250 },
  );
}

/** Marks the output area of the first code cell whose source holds `needle` with `id`. */
async function markCell(page: Page, needle: string, id: string): Promise<number> {
  return await page.evaluate(([needle, id]: string[]) => {
    // deno-lint-ignore no-explicit-any
    const panel = (globalThis as any).jupyterapp.shell.currentWidget;
    // deno-lint-ignore no-explicit-any
    const cell = panel.content.widgets.find((c: any) =>
      c.model.type === "code" && c.model.sharedModel.source.includes(needle)
    );
    if (!cell) throw new Error(`no cell with ${needle}`);
    cell.node.id = id;
    return cell.model.outputs.length as number;
  }, [needle, id]);
}

Deno.test({
  name: "JupyterLab draws chapter 0's sequence diagram and chart after Run All",
  ...requireTool("chromium"),
  async fn(t) {
    const notebook = `${ROOT}/${WELCOME}`;
    const before = await Deno.readTextFile(notebook);
    const started = performance.now();
    {
      await using lab = await startJupyterLab();
      await using browser = await openOfflineBrowser();
      const page = await browser.newPage();
      await openNotebook(page, lab, WELCOME);

      // The kernel sometimes reports a cell idle before its last output, and JupyterLab then
      // drops that output (docs/notebook-output-race.md). That race is measured elsewhere;
      // here a run that lost one of the two outputs under test is repeated, at most twice.
      for (let attempt = 1;; attempt++) {
        await runAll(page, attempt === 1);
        const diagram = await markCell(page, "sequenceDiagram(", "course-mermaid-cell");
        const chart = await markCell(page, "histogram(", "course-plotly-cell");
        if (diagram && chart) break;
        assert.ok(attempt < 3, "Run All lost the diagram's or the chart's output three times");
        console.error(`NOTICE: Run All ${attempt} lost an output (the kernel's idle race); again`);
      }

      await t.step("the mermaid output is drawn as an SVG with the participants", async () => {
        await page.waitForFunction(
          () => {
            // deno-lint-ignore no-explicit-any
            const { document } = globalThis as any;
            const area = document.querySelector("#course-mermaid-cell .jp-RenderedMermaid");
            return !!area?.querySelector("svg, img[src^='data:image/svg+xml']");
          },
          undefined,
          { timeout: 30_000, polling: 250 },
        );
        const text = await svgText(page, "#course-mermaid-cell .jp-RenderedMermaid");
        for (const name of PARTICIPANTS) assert.ok(text.includes(name), `no ${name} in: ${text}`);
      });

      await t.step("the plotly output is drawn by the plotly renderer", async () => {
        await page.waitForSelector("#course-plotly-cell .js-plotly-plot .main-svg", {
          state: "attached",
          timeout: 30_000,
        });
        const bars = await page.locator("#course-plotly-cell .trace.bars .point").count();
        assert.ok(bars > 0, "the histogram has no bars");
      });

      await t.step("JupyterLab requested nothing from outside 127.0.0.1", () => {
        assert.deepEqual(browser.blocked, []);
        assert.deepEqual(browser.problems, []);
      });
    }
    console.log(`JupyterLab check: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(await Deno.readTextFile(notebook), before, "the notebook file was changed");
  },
});
