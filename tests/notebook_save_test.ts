/**
 * Opening and saving an untouched chapter in JupyterLab leaves git clean: the committed
 * notebooks are byte for byte what JupyterLab writes (tools/notebooks/jupyter_form.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { requireTool } from "./tools.ts";
import { openOfflineBrowser } from "./browser.ts";
import { openNotebook, startJupyterLab } from "./jupyterlab.ts";
import { notebookPaths } from "../tools/notebooks/notebooks.ts";
import { jupyterLabForm } from "../tools/notebooks/jupyter_form.ts";

/** Open `name`, note whether JupyterLab marked it modified, save it, shut its kernel down. */
async function openAndSave(page: Page, lab: Parameters<typeof openNotebook>[1], name: string) {
  await openNotebook(page, lab, name);
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const app = (globalThis as any).jupyterapp;
    const panel = app.shell.currentWidget;
    const modifiedOnOpen: boolean = panel.context.model.dirty;
    await panel.context.save();
    await panel.sessionContext.shutdown();
    panel.dispose();
    return modifiedOnOpen;
  });
}

Deno.test({
  name: "JupyterLab saves every untouched chapter byte for byte as committed",
  ...requireTool("chromium"),
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "notebook_save_test_" });
    try {
      const committed = new Map<string, string>();
      for (const path of notebookPaths()) {
        const name = path.slice(path.lastIndexOf("/") + 1);
        committed.set(name, await Deno.readTextFile(path));
        await Deno.copyFile(path, `${dir}/${name}`);
      }
      // The form the committed notebooks had before: keys in writing order, no language_info,
      // sources as one string. JupyterLab must save it exactly as jupyterLabForm() does.
      const [first, text] = [...committed][0];
      const old = JSON.parse(text);
      delete old.metadata.language_info;
      for (const cell of old.cells) cell.source = cell.source.join("");
      const oldText = JSON.stringify({ nbformat: 4, nbformat_minor: 5, ...old }, null, 2);
      await Deno.writeTextFile(`${dir}/old_${first}`, oldText);

      await using lab = await startJupyterLab({ root: dir });
      await using browser = await openOfflineBrowser();
      const page = await browser.newPage();
      for (const [name, text] of committed) {
        await t.step(`${name} opens unmodified and saves unchanged`, async () => {
          assert.equal(await openAndSave(page, lab, name), false, "marked modified on open");
          assert.equal(await Deno.readTextFile(`${dir}/${name}`), text);
        });
      }
      await t.step(
        "a notebook in another form is saved as jupyterLabForm() writes it",
        async () => {
          assert.equal(await openAndSave(page, lab, `old_${first}`), true);
          assert.equal(await Deno.readTextFile(`${dir}/old_${first}`), jupyterLabForm(oldText));
        },
      );
      assert.deepEqual(browser.problems, []);
      assert.deepEqual(browser.blocked, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
