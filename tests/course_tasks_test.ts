/**
 * The learner's and teacher's commands, run as they would run them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hygieneProblems, notebookPaths } from "../tools/notebooks/notebooks.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

async function run(args: string[], cwd = ROOT) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    ...out,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

Deno.test("every committed notebook has the Deno kernel and no outputs", () => {
  const paths = notebookPaths();
  assert.ok(paths.length > 0);
  for (const path of paths) assert.deepEqual(hygieneProblems(path), [], path);
});

Deno.test("deno task grade scores the stub 0 and the solution in full, and writes reports", async () => {
  const out = await Deno.makeTempDir();
  try {
    const stub = await run(["run", "-A", "tools/grade.ts", "00_welcome", "--json"]);
    const [stubResult] = JSON.parse(
      stub.stdout.length ? new TextDecoder().decode(stub.stdout) : "[]",
    );
    assert.equal(stubResult.score, 0);
    const solved = await run([
      "run",
      "-A",
      "tools/grade.ts",
      "00_welcome",
      "--solutions",
      "--out",
      out,
      "--strict",
    ]);
    assert.equal(solved.code, 0, solved.text);
    assert.match(solved.text, /00_welcome\/ask_tiny +Ask the TINY server +5\/5 +passed/);
    const gradescope = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
    assert.equal(gradescope.score, 5);
    assert.match(
      await Deno.readTextFile(`${out}/junit.xml`),
      /<testsuite name="00_welcome\/ask_tiny" tests="4" failures="0"/,
    );
    assert.equal(JSON.parse(await Deno.readTextFile(`${out}/score.json`)).maxScore, 5);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task student-copy leaves out solutions, hidden checks and wrong answers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const copy = await run(["run", "-A", "tools/student_copy.ts", `${dir}/course`]);
    assert.equal(copy.code, 0, copy.text);
    const has = (path: string) => Deno.stat(`${dir}/course/${path}`).then(() => true, () => false);
    assert.equal(await has("solutions"), false);
    assert.equal(await has("graders/00_welcome/wrong"), false);
    assert.equal(await has("exercises/00_welcome/ask_tiny.ts"), true);
    assert.equal(await has("graders/00_welcome/ask_tiny.grader.ts"), true);
    // The copy grades the learner's work, and refuses to reveal what it does not have.
    const graded = await run(
      ["run", "-A", "tools/grade.ts", "00_welcome", "--json"],
      `${dir}/course`,
    );
    assert.equal(JSON.parse(new TextDecoder().decode(graded.stdout))[0].maxScore, 5);
    const solution = await run(
      ["run", "-A", "tools/grade.ts", "solution", "00_welcome/ask_tiny"],
      `${dir}/course`,
    );
    assert.match(solution.text, /no solutions\/ folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
