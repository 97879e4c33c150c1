/**
 * Running a cell again replaces what its last run opened, in the real kernel: the cells
 * that start a chapter's servers are run twice, and the Deno process must listen on as
 * many ports as after the first run, with the first run's temp folders gone. `releaseAll()`
 * (the chapters' last cells) closes everything, and a kernel that has been shut down leaves no
 * folder behind: the course's kernel removes it when Deno exits (lib/lifetime/lifetime_test.ts
 * covers the sweep by the next kernel, for kernels started without the wrapper, or killed).
 *
 * @module
 */

import assert from "node:assert/strict";
import { startKernel } from "./kernel_session.ts";
import { type Notebook, NOTEBOOKS, sourceOf } from "../tools/notebooks/notebooks.ts";

/** Chapters and the ids of the cells that start servers or open folders. */
const RERUN: Record<string, string[]> = {
  "00_welcome": ["27fb7963", "ba13442c"],
  "03_smtp": ["6aacf24f", "c9e5a3b2", "6f127c19", "5bd5c326"],
  "04_pop3": ["8edd0e1a"],
  "05_imap": ["e9acea3e", "8feb5d7c"],
  "06_journey": ["f5fbcd76", "1be8ab7e"],
};

const hasProc = (() => {
  try {
    return Deno.statSync("/proc/net/tcp").isFile;
  } catch {
    return false;
  }
})();

function chapterFolders(kernelFolder: string): string[] {
  if (!exists(kernelFolder)) return [];
  return [...Deno.readDirSync(kernelFolder)].filter((e) => e.isDirectory).map((e) => e.name)
    .sort();
}

Deno.test({
  name: "running a chapter's server cells twice leaves one set of servers and folders",
  ignore: !hasProc,
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "notebook_rerun_test_" });
    try {
      let lastKernelFolder = "";
      for (const [chapter, ids] of Object.entries(RERUN)) {
        await t.step(chapter, async () => {
          const notebook: Notebook = JSON.parse(
            await Deno.readTextFile(`${NOTEBOOKS}/${chapter}.ipynb`),
          );
          const cells = notebook.cells.filter((c) => c.cell_type === "code") as (
            Notebook["cells"][number] & { id: string }
          )[];
          const last = Math.max(...ids.map((id) => cells.findIndex((c) => c.id === id)));
          assert.ok(ids.every((id) => cells.some((c) => c.id === id)), `${chapter}: cell ids`);
          await using kernel = await startKernel({ env: { COURSE_TEMP_ROOT: root } });
          const run = async (code: string) => {
            const result = await kernel.run(code);
            assert.equal(result.status, "ok", `${result.error}\n${code}`);
            return result.text.join("");
          };
          const pid = Number(await run("Deno.pid"));
          const kernelFolder = `${root}/kernel-${pid}`;
          const before = new Set(await kernel.listening(pid));

          for (const cell of cells.slice(0, last + 1)) await run(sourceOf(cell));
          const firstPorts = (await kernel.listening(pid)).filter((p) => !before.has(p));
          const firstFolders = chapterFolders(kernelFolder);
          assert.ok(firstPorts.length > 0, "the cells started servers");

          for (const id of ids) await run(sourceOf(cells.find((c) => c.id === id)!));
          const secondPorts = (await kernel.listening(pid)).filter((p) => !before.has(p));
          const secondFolders = chapterFolders(kernelFolder);
          assert.equal(secondPorts.length, firstPorts.length, "servers after the second run");
          assert.equal(secondFolders.length, firstFolders.length, "folders after the second run");
          assert.deepEqual(
            secondFolders.filter((f) => firstFolders.includes(f)),
            [],
            "the first run's folders are gone",
          );

          // What the chapter's last cell does: close everything kept.
          await run('await (await import("../lib/lifetime/mod.ts")).releaseAll();');
          assert.deepEqual((await kernel.listening(pid)).filter((p) => !before.has(p)), []);
          assert.deepEqual(chapterFolders(kernelFolder), []);

          if (lastKernelFolder) {
            assert.ok(!exists(lastKernelFolder), "the previous kernel's folder is gone");
          }
          await kernel.shutdown();
          // The course's kernel removes the folder as Deno exits; with a plain `deno jupyter`
          // kernelspec the next kernel's first folder sweeps it (checked on the next chapter).
          assert.ok(!exists(kernelFolder), "the kernel's folder is gone once it has shut down");
          lastKernelFolder = kernelFolder;
        });
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
