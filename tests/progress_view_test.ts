/**
 * `deno task progress` shows the whole course: every chapter, every exercise with its
 * points, and required work apart from challenge work.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findExercises, loadExercise } from "../lib/grading/mod.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("deno task progress lists chapters, exercises, points, required and challenge work", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/grade.ts", "progress"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const text = new TextDecoder().decode(out.stdout);
  let required = 0, challenge = 0;
  for (const entry of findExercises()) {
    const exercise = await loadExercise(entry);
    const points = exercise.checks.reduce((sum, c) => sum + c.points, 0);
    const kind = exercise.challenge ? "challenge" : "required";
    if (exercise.challenge) challenge += points;
    else required += points;
    const name = entry.id.slice(entry.chapter.length + 1);
    const row = text.split("\n").find((line) => line.includes(` ${name} `));
    assert.ok(row, `${entry.id} is not listed`);
    assert.match(row, new RegExp(`${kind}\\s+(-|\\d+)/${points}\\s`), `${entry.id}: ${row}`);
    assert.match(text, new RegExp(`^${entry.chapter}: `, "m"), `chapter ${entry.chapter} missing`);
  }
  assert.ok(challenge > 0, "the course has challenge work");
  assert.match(
    text,
    new RegExp(`required: \\d+ of \\d+ exercises passed, \\d+/${required} points`),
  );
  assert.match(
    text,
    new RegExp(`challenge: \\d+ of \\d+ exercises passed, \\d+/${challenge} points`),
  );
});
