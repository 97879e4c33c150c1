/**
 * The grading is not forgeable: a submission runs in its own least-privileged process,
 * and only the trusted grading process writes results.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

async function run(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

/** A clone of the committed course in a temp folder, removed afterwards. */
async function clone(): Promise<{ dir: string } & AsyncDisposable> {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/course`;
  const done = await new Deno.Command("git", { args: ["clone", "-q", ROOT, dir] }).output();
  assert.ok(done.success, "git clone");
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(parent, { recursive: true }) };
}

const FORGER = `
import assert from "node:assert/strict";
import { todo } from "../../lib/grading/exercise.ts";

// Full marks, written where the grader puts its reports...
const forged = JSON.stringify({ score: 14, tests: [{ name: "all", score: 14, max_score: 14, status: "passed" }] });
for (const path of ["../../results/results.json", "../../results/score.json", "../../.grading/progress.json"]) {
  try { Deno.writeTextFileSync(new URL(path, import.meta.url), forged); } catch { /* quietly */ }
}
// ... by a helper program ...
try { new Deno.Command("sh", { args: ["-c", "echo forged > results/results.json"] }).outputSync(); } catch { /* quietly */ }
// ... and by making every assertion pass.
for (const key of Object.keys(assert)) (assert as unknown as Record<string, unknown>)[key] = () => {};

export function stuffData(message: string): string { void message; throw todo("stuffData()"); }
export function unstuffData(block: string): string { void block; throw todo("unstuffData()"); }
`;

Deno.test("a forging submission is recorded with its true score, and told what was refused", async () => {
  await using course = await clone();
  await Deno.writeTextFile(`${course.dir}/exercises/03_smtp/dot_stuffing.ts`, FORGER);
  const graded = await run(["run", "-A", "tools/grade.ts", "03_smtp/dot_stuffing"], course.dir);
  assert.match(graded.text, /03_smtp\/dot_stuffing +Dot-stuff and un-stuff DATA +0\/14/);
  assert.match(graded.text, /not allowed while grading: writing results\/results\.json/);
  assert.match(graded.text, /not allowed while grading: running the program sh/);
  const results = JSON.parse(await Deno.readTextFile(`${course.dir}/results/results.json`));
  assert.equal(results.score, 0);
  assert.equal(results.tests.length, 6);
  const score = JSON.parse(await Deno.readTextFile(`${course.dir}/results/score.json`));
  assert.equal(score.score, 0);
  const progress = JSON.parse(await Deno.readTextFile(`${course.dir}/.grading/progress.json`));
  assert.equal(progress["03_smtp/dot_stuffing"].best, 0);
});
