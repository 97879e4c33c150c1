/**
 * Type-check the notebooks' code, which the Deno kernel does not do.
 *
 * Each notebook's code cells are joined, in order, into one temporary module beside the
 * notebook (so relative imports resolve as they do in the kernel) and given to
 * `deno check`. Errors are reported with the notebook and cell they come from.
 *
 * @module
 */

import { type Notebook, notebookPaths, sourceOf } from "./notebooks.ts";

let failures = 0;
for (const path of notebookPaths(Deno.args)) {
  const notebook: Notebook = JSON.parse(Deno.readTextFileSync(path));
  const lines: string[] = [
    "// Generated from a notebook for type checking; safe to delete.",
    "export {};",
  ];
  const cellOfLine: number[] = [-1, -1];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    for (const line of sourceOf(cell).split("\n")) {
      lines.push(line);
      cellOfLine.push(index);
    }
    // Cells run one by one; a ";" keeps a cell's last expression from merging with the next cell.
    lines.push(";");
    cellOfLine.push(index);
  });
  const temp = path.replace(/([^/]+)\.ipynb$/, ".typecheck.$1.ts");
  Deno.writeTextFileSync(temp, lines.join("\n") + "\n");
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", temp],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      failures++;
      const text = new TextDecoder().decode(out.stderr);
      // Point each "at file:///…/.typecheck.X.ts:LINE:COL" at its cell.
      console.error(
        text.replace(
          new RegExp(`${temp.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g"),
          (_, line) => `${path} cell ${cellOfLine[Number(line) - 1]}`,
        ),
      );
    }
  } finally {
    Deno.removeSync(temp);
  }
}
if (failures) Deno.exit(1);
