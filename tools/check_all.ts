/**
 * `deno task test`: everything CI runs, in order, with one summary line at the end.
 *
 *   1. format      deno fmt --check
 *   2. lint        deno lint
 *   3. types       deno check, and the notebooks' code
 *   4. unit tests  deno test (with leak checks and JSDoc examples): lib, graders, interop
 *   5. notebooks   every notebook in the real Deno kernel
 *
 * `--quick` skips the notebooks. Under `CI=true` tests that need third-party mail software
 * fail instead of skipping when it is missing.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const deno = Deno.execPath();
const quick = Deno.args.includes("--quick");

interface Step {
  name: string;
  args: string[];
}

const steps: Step[] = [
  { name: "format", args: ["fmt", "--check"] },
  { name: "lint", args: ["lint"] },
  { name: "types", args: ["task", "check"] },
  { name: "unit tests", args: ["test", "-A", "--trace-leaks", "--doc", "--permit-no-files"] },
  ...(quick ? [] : [{ name: "notebooks", args: ["run", "-A", "tools/notebooks/check.ts"] }]),
];

let passed = 0, failed = 0;
const failedSteps: string[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: deno ${step.args.join(" ")}`);
  const out = await new Deno.Command(deno, {
    args: step.args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Stream output through while keeping it, to count tests.
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    out.status,
    pump(out.stdout, Deno.stdout),
    pump(out.stderr, Deno.stderr),
  ]);
  // Count what the step reports: deno test's "N passed | M failed", the notebooks' summary.
  const counted = text.match(/(\d+) passed(?: \([^)]*\))? \| (\d+) failed/) ??
    text.match(/notebooks: (\d+) passed, (\d+) failed/);
  if (counted) {
    passed += Number(counted[1]);
    failed += Number(counted[2]);
  } else if (status.success) {
    passed++;
  } else {
    failed++;
  }
  if (!status.success) failedSteps.push(step.name);
}

console.log(
  failedSteps.length ? `\nFAILED steps: ${failedSteps.join(", ")}` : "\nAll steps passed.",
);
console.log(`test: ${passed} passed, ${failed} failed`);
Deno.exit(failedSteps.length ? 1 : 0);
