import assert from "node:assert/strict";
import { processesWith } from "../../lib/daemon/mod.ts";
import { ensureVenv } from "../venv.ts";
import { describeFailure, runNotebooks } from "./runner.ts";

/** A notebook for the Deno kernel with these code cells. */
function notebook(...sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: sources.map((source, i) => ({
      id: `c${i}`,
      cell_type: "code",
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  });
}

Deno.test("the notebook runner names the failing cell, its error and its code", async () => {
  await ensureVenv({ quiet: true });
  const dir = await Deno.makeTempDir({ prefix: "runner_test_" });
  try {
    const path = `${dir}/broken.ipynb`;
    await Deno.writeTextFile(
      path,
      notebook("const fine = 1;", 'throw new Error("boom in the second cell")', "fine + 1"),
    );
    const [report] = await runNotebooks([path]);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, ["cell 1 failed: Error: boom in the second cell"]);
    assert.equal(report.failing_cell, 1);
    assert.equal(
      describeFailure(report, dir),
      '✗ broken.ipynb\n    cell 1 failed: Error: boom in the second cell\n    | throw new Error("boom in the second cell")',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the notebook runner fails a notebook that leaves a server or a process behind", async () => {
  await ensureVenv({ quiet: true });
  const dir = await Deno.makeTempDir({ prefix: "runner_test_" });
  // A sleep whose command line no other process has, so the test can clean it up.
  const seconds = `${20 + Math.random()}`.slice(0, 8);
  try {
    const path = `${dir}/leaky.ipynb`;
    await Deno.writeTextFile(
      path,
      notebook(
        'const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });',
        `new Deno.Command("sleep", { args: ["${seconds}"] }).spawn();`,
      ),
    );
    const [report] = await runNotebooks([path]);
    assert.equal(report.ok, false);
    const problems = report.problems.join("\n");
    assert.match(problems, /the kernel still listens on port\(s\) \[\d+\] after the last cell/);
    assert.match(problems, new RegExp(`still has child processes .*sleep ${seconds}`));
  } finally {
    for (const pid of await processesWith(seconds)) Deno.kill(pid, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
