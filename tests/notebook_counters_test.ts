/**
 * The executed notebooks that `deno task export` turns into pages number their cells as a
 * frontend does: In [1], In [2], ... in order, and each Out [n] beside its own In [n].
 *
 * @module
 */

import assert from "node:assert/strict";
import { runNotebooks } from "../tools/notebooks/runner.ts";
import { ensureVenv } from "../tools/venv.ts";
import { NOTEBOOKS } from "../tools/notebooks/notebooks.ts";

interface ExecutedCell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: { output_type: string; execution_count?: number }[];
}

Deno.test("an executed chapter numbers its code cells 1, 2, 3... and each result as its cell", async () => {
  await ensureVenv({ quiet: true });
  const out = await Deno.makeTempDir({ prefix: "notebook_counters_test_" });
  try {
    const [report] = await runNotebooks([`${NOTEBOOKS}/00_welcome.ipynb`], { writeExecuted: out });
    assert.ok(report.ok, report.problems.join("\n"));
    const executed: { cells: ExecutedCell[] } = JSON.parse(
      await Deno.readTextFile(`${out}/00_welcome.ipynb`),
    );
    const code = executed.cells.filter((c) => c.cell_type === "code");
    assert.deepEqual(code.map((c) => c.execution_count), code.map((_, i) => i + 1));
    for (const cell of code) {
      for (const output of cell.outputs ?? []) {
        if (output.output_type !== "execute_result") continue;
        assert.equal(output.execution_count, cell.execution_count, "Out [n] beside In [n]");
      }
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
