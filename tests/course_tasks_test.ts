/**
 * The learner's and teacher's commands, run as they would run them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hygieneProblems, notebookPaths } from "../tools/notebooks/notebooks.ts";
import { withTimeout } from "../lib/net/timeout.ts";

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
    // The teacher's run adds the hidden checks, hidden from students until published.
    const hidden = await run([
      "run",
      "-A",
      "tools/grade.ts",
      "00_welcome",
      "--solutions",
      "--hidden",
      "--out",
      `${out}/teacher`,
    ]);
    assert.match(hidden.text, /ask_tiny +Ask the TINY server +8\/8 +passed/);
    const withHidden = JSON.parse(await Deno.readTextFile(`${out}/teacher/results.json`));
    assert.deepEqual(
      withHidden.tests.filter((t: { visibility: string }) => t.visibility === "after_published")
        .length,
      3,
    );
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
    assert.equal(await has("graders/00_welcome/ask_tiny.hidden.ts"), false);
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

/** A student copy in a temp folder, removed afterwards. */
async function studentCopy(): Promise<{ dir: string } & AsyncDisposable> {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/course`;
  const copy = await run(["run", "-A", "tools/student_copy.ts", dir]);
  assert.equal(copy.code, 0, copy.text);
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(parent, { recursive: true }) };
}

const SOLVED = Deno.readTextFileSync(`${ROOT}/solutions/00_welcome/ask_tiny.ts`);

Deno.test("deno task hint shows one more hint each time, then says it was the last", async () => {
  await using copy = await studentCopy();
  const hint = () => run(["run", "-A", "tools/grade.ts", "hint", "00_welcome/ask_tiny"], copy.dir);
  assert.match((await hint()).text, /hint 1\/3/);
  const second = (await hint()).text;
  assert.match(second, /hint 2\/3/);
  assert.doesNotMatch(second, /hint 3\/3/);
  assert.match((await hint()).text, /hint 3\/3[\s\S]*That was the last hint/);
});

Deno.test("deno task reset brings back the shipped stub and keeps the learner's version", async () => {
  await using copy = await studentCopy();
  const exercise = `${copy.dir}/exercises/00_welcome/ask_tiny.ts`;
  const shipped = await Deno.readTextFile(exercise);
  await Deno.writeTextFile(exercise, "// my attempt\n" + shipped);
  const reset = await run(
    ["run", "-A", "tools/grade.ts", "reset", "00_welcome/ask_tiny"],
    copy.dir,
  );
  assert.equal(reset.code, 0, reset.text);
  assert.equal(await Deno.readTextFile(exercise), shipped);
  const backup = /saved in (\S+)/.exec(reset.text)?.[1];
  assert.ok(backup, reset.text);
  assert.match(await Deno.readTextFile(`${copy.dir}/${backup}`), /^\/\/ my attempt/);
});

Deno.test("deno task solution reveals the answer only once the exercise passes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A full checkout (with solutions/), copied so the learner's file can be edited.
    const clone = await new Deno.Command("git", { args: ["clone", "-q", ROOT, `${dir}/course`] })
      .output();
    assert.ok(clone.success);
    const solution = () =>
      run(["run", "-A", "tools/grade.ts", "solution", "00_welcome/ask_tiny"], `${dir}/course`);
    assert.match((await solution()).text, /has 0\/5 points\. The solution opens once it passes/);
    await Deno.writeTextFile(`${dir}/course/exercises/00_welcome/ask_tiny.ts`, SOLVED);
    assert.match(
      (await solution()).text,
      /compare it with yours[\s\S]*export async function askTiny/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task grade --watch grades again when the learner saves", async () => {
  await using copy = await studentCopy();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/grade.ts", "00_welcome", "--watch"],
    cwd: copy.dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const waitFor = (pattern: RegExp, what: string) =>
    withTimeout(
      (async () => {
        while (!pattern.test(seen)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`watch mode exited: ${seen}`);
          seen += value;
        }
      })(),
      30_000,
      what,
    );
  try {
    await waitFor(/0\/5 +not started/, "the first grading");
    await Deno.writeTextFile(`${copy.dir}/exercises/00_welcome/ask_tiny.ts`, SOLVED);
    await waitFor(/5\/5 +passed/, "grading after the save");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
  }
});

Deno.test("deno task student-copy ships the committed stubs even from a tree with solved exercises", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const teacher = `${dir}/teacher`;
    const clone = await new Deno.Command("git", { args: ["clone", "-q", ROOT, teacher] }).output();
    assert.ok(clone.success);
    const committed = await Deno.readTextFile(`${teacher}/exercises/00_welcome/ask_tiny.ts`);
    // The teacher solved the warm-up locally and never committed it.
    await Deno.writeTextFile(`${teacher}/exercises/00_welcome/ask_tiny.ts`, SOLVED);
    const copy = await run(["run", "-A", "tools/student_copy.ts", `${dir}/course`], teacher);
    assert.equal(copy.code, 0, copy.text);
    assert.equal(
      await Deno.readTextFile(`${dir}/course/exercises/00_welcome/ask_tiny.ts`),
      committed,
    );
    assert.match(
      copy.text,
      /WARNING: 1 file\(s\) have uncommitted changes, which are NOT in the copy[\s\S]*exercises\/00_welcome\/ask_tiny\.ts/,
    );
    // There, --hidden says that the hidden checks are not part of a student copy.
    const hidden = await run(
      ["run", "-A", "tools/grade.ts", "00_welcome", "--hidden", "--json"],
      `${dir}/course`,
    );
    assert.match(hidden.text, /NOTICE: --hidden, but this copy of the course has no hidden checks/);
    assert.equal(JSON.parse(new TextDecoder().decode(hidden.stdout))[0].maxScore, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
