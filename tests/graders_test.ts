/**
 * Grader validation: a grader is only as good as what it catches. Every grader must give
 * full points to its reference solution, and must not give full points to the untouched
 * stub or to any of the typical wrong answers kept beside it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findExercises, gradeModule, loadExercise, originalStub } from "../lib/grading/mod.ts";

const exercises = findExercises();

Deno.test("the course has graded exercises, each with a stub, hints and points", async () => {
  assert.ok(exercises.length > 0, "no graders found under graders/");
  for (const entry of exercises) {
    const stub = await originalStub(entry) ?? Deno.readTextFileSync(entry.exercisePath);
    assert.match(stub, /TODO/, `${entry.id}: the stub has no TODO for the learner`);
  }
});

for (const entry of exercises) {
  Deno.test(`grader ${entry.id}`, async (t) => {
    const exercise = await loadExercise(entry, true);
    assert.ok(exercise.hints.length > 0, "an exercise needs hints");
    for (const check of [...exercise.checks, ...exercise.hiddenChecks]) {
      assert.ok(check.points > 0, `check "${check.name}" is worth no points`);
      assert.ok(check.hint.trim(), `check "${check.name}" has no hint`);
    }

    if (entry.solutionPath) {
      await t.step("gives full points to the reference solution", async () => {
        const result = await gradeModule(entry.id, exercise, `file://${entry.solutionPath}`);
        const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`);
        assert.deepEqual(failed, [], "the solution fails checks");
      });
    } else {
      console.error(`NOTICE: ${entry.id}: no solutions/ in this copy, solution not checked`);
    }

    await t.step("does not give full points to the untouched stub", async () => {
      // Grade the stub as shipped, not the learner's edited copy: written beside the
      // exercise so that its relative imports resolve.
      const shipped = await originalStub(entry) ?? Deno.readTextFileSync(entry.exercisePath);
      const path = entry.exercisePath.replace(/([^/]+)\.ts$/, ".shipped-stub.$1.ts");
      Deno.writeTextFileSync(path, shipped);
      try {
        const result = await gradeModule(entry.id, exercise, `file://${path}`);
        assert.ok(
          result.score < result.maxScore,
          `the stub got ${result.score}/${result.maxScore}`,
        );
      } finally {
        Deno.removeSync(path);
      }
    });

    for (const wrong of entry.wrongPaths) {
      const name = wrong.slice(wrong.lastIndexOf("/") + 1);
      await t.step(`catches the wrong answer ${name}`, async () => {
        const result = await gradeModule(entry.id, exercise, `file://${wrong}`);
        assert.ok(
          result.score < result.maxScore,
          `${name} got full points: the grader asserts too little`,
        );
      });
    }
    if (entry.solutionPath) {
      assert.ok(
        entry.wrongPaths.length >= 2,
        `${entry.id}: keep at least two typical wrong answers in graders/…/wrong/`,
      );
    }
  });
}
