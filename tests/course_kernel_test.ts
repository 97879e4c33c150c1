/**
 * The course's kernel (tools/kernel/course_kernel.py) speaks Jupyter like any kernel:
 * driven through jupyter_client (tests/course_kernel_check.py), outputs come in the order the
 * cell made them, prompts, completion, inspection and comms work, Kernel → Interrupt stops a
 * loop keeping the state and restarts a cell that cannot be stopped (saying so), and a
 * restart and shutdown leave no process behind. JupyterLab itself: browser_kernel_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { processesWith } from "../lib/daemon/mod.ts";
import { ensureVenv, VENV_PYTHON } from "../tools/venv.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("the course's kernel answers every kind of request and survives interrupts", async (t) => {
  await ensureVenv({ quiet: true });
  const marker = `COURSE_KERNEL_TEST=${crypto.randomUUID()}`;
  const out = await new Deno.Command(VENV_PYTHON, {
    args: [`${ROOT}/tests/course_kernel_check.py`],
    cwd: ROOT,
    env: { JUPYTER_PREFER_ENV_PATH: "1", [marker.split("=")[0]]: marker.split("=")[1] },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, errors);
  const seen = JSON.parse(new TextDecoder().decode(out.stdout));

  await t.step("outputs in the order the cell made them, the error last", () => {
    assert.equal(seen.kernel_info, "Deno kernel");
    assert.equal(seen.order.status, "error");
    assert.deepEqual(seen.order.outputs.map((o: string[]) => o[0]), ["stream", "error"]);
    assert.equal(seen.order.outputs[0][1], "first\n");
  });
  await t.step("prompt() asks the frontend and gets its answer", () => {
    assert.deepEqual(seen.prompt.outputs, [
      ["input_request", "name?"],
      ["execute_result", '"Ada"'],
    ]);
  });
  await t.step("completion, inspection, is_complete and comm_info are answered", () => {
    assert.ok(seen.complete.includes("kept"), JSON.stringify(seen.complete));
    assert.equal(seen.inspect, "ok");
    assert.equal(seen.is_complete, "incomplete");
    assert.equal(seen.comm_info, "ok");
  });
  await t.step("Interrupt stops a busy loop and keeps what the notebook defined", () => {
    assert.equal(seen.busy_loop.status, "error");
    assert.match(seen.busy_loop.outputs.at(-1)[1], /Interrupted: Kernel -> Interrupt stopped/);
    assert.deepEqual(seen.after_busy_loop.outputs, [["execute_result", "42"]]);
  });
  await t.step("Interrupt of a wait that cannot end restarts Deno and says so", () => {
    assert.equal(seen.pending_promise.status, "error");
    const said = seen.pending_promise.outputs.at(-1)[1];
    assert.match(said, /this cell did not stop, so the Deno kernel was restarted/);
    assert.match(
      said,
      /run the notebook's first code cell again \(the first cell run, which begins `const kept = 41`\)/,
    );
    assert.ok(seen.pending_promise.seconds < 15, `${seen.pending_promise.seconds} s`);
    assert.deepEqual(seen.after_restart.outputs, [["execute_result", '"undefined"']]);
  });
  await t.step("restart from the frontend works; shutdown leaves no process", async () => {
    assert.deepEqual(seen.after_frontend_restart.outputs, [["execute_result", "2"]]);
    assert.equal(seen.wrapper_gone, true);
    const until = Date.now() + 5000;
    let left = await processesWith(marker);
    while (left.length && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await processesWith(marker);
    }
    assert.deepEqual(left, [], "no wrapper or Deno kernel process is left");
  });
});
