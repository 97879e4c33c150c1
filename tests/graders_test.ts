/**
 * Grader validation: a grader is only as good as what it catches. Every grader, hidden
 * checks included, must give full points to its reference solution, and must not give
 * full points to the untouched stub or to any of the typical wrong answers kept beside it.
 *
 * Each implementation runs sandboxed (its own process, as in real grading); several are
 * graded at once to keep this quick on two cores.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type ExerciseEntry,
  type ExerciseResult,
  findExercises,
  gradeModule,
  loadExercise,
  originalStub,
} from "../lib/grading/mod.ts";

const exercises = findExercises();
const PARALLEL = 3;

interface Variant {
  entry: ExerciseEntry;
  kind: "solution" | "stub" | "wrong";
  path: string;
  /** The stub as shipped, written to `path` just before it is graded and removed after. */
  shipped?: string;
  result?: Promise<ExerciseResult>;
}

/** Stub copies being graded; removed as the process ends, should it end first. */
const written = new Set<string>();
globalThis.addEventListener("unload", () => {
  for (const path of written) Deno.removeSync(path);
});

/** Every implementation to grade, graded a few at a time once the first test asks. */
let started: Promise<void> | undefined;
const variants: Variant[] = [];
function gradeAll(): Promise<void> {
  started ??= (async () => {
    for (const entry of exercises) {
      if (entry.solutionPath) variants.push({ entry, kind: "solution", path: entry.solutionPath });
      // Grade the stub as shipped, not the learner's edited copy: written beside the
      // exercise so that its relative imports resolve.
      const shipped = await originalStub(entry) ?? Deno.readTextFileSync(entry.exercisePath);
      const stub = entry.exercisePath.replace(/([^/]+)\.ts$/, ".shipped-stub.$1.ts");
      variants.push({ entry, kind: "stub", path: stub, shipped });
      for (const wrong of entry.wrongPaths) variants.push({ entry, kind: "wrong", path: wrong });
    }
    const queue = [...variants];
    const resolvers = new Map<Variant, (r: ExerciseResult) => void>();
    const rejecters = new Map<Variant, (e: unknown) => void>();
    for (const v of variants) {
      v.result = new Promise((resolve, reject) => {
        resolvers.set(v, resolve);
        rejecters.set(v, reject);
      });
      v.result.catch(() => {});
    }
    const worker = async () => {
      while (queue.length) {
        const v = queue.shift()!;
        try {
          // Written only now: a run of some tests (--filter) ends before the rest are
          // graded, and must not leave copies behind.
          if (v.shipped !== undefined) {
            Deno.writeTextFileSync(v.path, v.shipped);
            written.add(v.path);
          }
          const exercise = await loadExercise(v.entry, true);
          resolvers.get(v)!(await gradeModule(v.entry.id, exercise, `file://${v.path}`));
        } catch (error) {
          rejecters.get(v)!(error);
        } finally {
          if (v.shipped !== undefined) {
            Deno.removeSync(v.path);
            written.delete(v.path);
          }
        }
      }
    };
    // Not awaited here: each test waits for the results it needs.
    Promise.all(Array.from({ length: PARALLEL }, worker));
  })();
  return started;
}

Deno.test("the course has graded exercises, each with a stub, hints and points", async () => {
  assert.ok(exercises.length > 0, "no graders found under graders/");
  for (const entry of exercises) {
    const stub = await originalStub(entry) ?? Deno.readTextFileSync(entry.exercisePath);
    assert.match(stub, /TODO/, `${entry.id}: the stub has no TODO for the learner`);
    if (!entry.hiddenPath) console.error(`NOTICE: ${entry.id} has no hidden checks`);
  }
});

function failures(result: ExerciseResult): string[] {
  return result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.message}`)
    .concat(result.importViolations ?? []);
}

for (const entry of exercises) {
  Deno.test({
    name: `grader ${entry.id}`,
    // Gradings run a few at a time across tests: their ops outlive a single test.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const exercise = await loadExercise(entry, true);
      assert.ok(exercise.hints.length > 0, "an exercise needs hints");
      for (const check of [...exercise.checks, ...exercise.hiddenChecks]) {
        assert.ok(check.points > 0, `check "${check.name}" is worth no points`);
        assert.ok(check.hint.trim(), `check "${check.name}" has no hint`);
      }
      await gradeAll();
      const mine = variants.filter((v) => v.entry === entry);
      const solution = mine.find((v) => v.kind === "solution");
      if (solution) {
        await t.step("gives full points to the reference solution", async () => {
          assert.deepEqual(failures(await solution.result!), [], "the solution fails checks");
        });
      } else {
        console.error(`NOTICE: ${entry.id}: no solutions/ in this copy, solution not checked`);
      }
      await t.step("does not give full points to the untouched stub", async () => {
        const result = await mine.find((v) => v.kind === "stub")!.result!;
        assert.ok(
          result.score < result.maxScore,
          `the stub got ${result.score}/${result.maxScore}`,
        );
      });
      for (const wrong of mine.filter((v) => v.kind === "wrong")) {
        const name = wrong.path.slice(wrong.path.lastIndexOf("/") + 1);
        await t.step(`catches the wrong answer ${name}`, async () => {
          const result = await wrong.result!;
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
    },
  });
}
