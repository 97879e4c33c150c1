import assert from "node:assert/strict";
import { withTimeout } from "./timeout.ts";

const TIMEOUT_MODULE = new URL("./timeout.ts", import.meta.url).href;

/** A Deno process, as in the course's kernel, waiting 30 s on withTimeout; resolves with what it printed. */
async function interruptedWait(env: Record<string, string>, signal: Deno.Signal) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { withTimeout } from "${TIMEOUT_MODULE}";
       console.log("waiting");
       try { await withTimeout(new Promise(() => {}), 30_000, "a reply"); }
       catch (e) { console.log(e.name + ": " + e.message); }`,
    ],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("waiting")) text += (await reader.read()).value ?? "";
  const started = performance.now();
  child.kill(signal);
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += chunk.value;
  }
  return { text, status: await child.status, ms: performance.now() - started };
}

Deno.test("in the course's kernel, the interrupt signal ends a withTimeout wait with InterruptedError", async () => {
  const { text, status, ms } = await interruptedWait(
    { COURSE_KERNEL_INTERRUPT_SIGNAL: "SIGWINCH" },
    "SIGWINCH",
  );
  assert.match(text, /InterruptedError: Interrupted: Kernel → Interrupt stopped this wait/);
  assert.equal(status.code, 0);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

Deno.test("outside the course's kernel, the same signal leaves a wait alone", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { withTimeout } from "${TIMEOUT_MODULE}";
       console.log("waiting");
       try { await withTimeout(new Promise(() => {}), 1_500, "a reply"); }
       catch (e) { console.log(e.name); }`,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("waiting")) text += (await reader.read()).value ?? "";
  child.kill("SIGWINCH"); // ignored by default: the wait runs to its deadline
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += chunk.value;
  }
  await child.status;
  assert.match(text, /TimeoutError/);
});

Deno.test("withTimeout leaves no listener on the interrupt signal behind", async () => {
  for (let i = 0; i < 3; i++) assert.equal(await withTimeout(Promise.resolve(i), 1000, "x"), i);
  await assert.rejects(withTimeout(Promise.reject(new Error("no")), 1000, "x"), /no/);
});
