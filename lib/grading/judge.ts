/**
 * A grading process for one student's submission, started by the class grader
 * (`class.ts`). It is trusted (it runs the graders, and the servers and programs they
 * use) but writes nothing: it grades each exercise with its learner module sandboxed
 * (`run.ts`) and prints the results as one JSON line on stdout, which the parent reads
 * and alone turns into files.
 *
 * Input (JSON on stdin): `{ hidden, jobs: [{ id, path }] }`; a job whose path is null was
 * not submitted.
 *
 * @module
 */

import { findExercises, loadExercise } from "./discover.ts";
import { type ExerciseResult, gradeModule } from "./run.ts";

/** One exercise to grade: the learner's file, or null when it was not submitted. */
export interface JudgeJob {
  id: string;
  path: string | null;
}

/** What the parent sends. */
export interface JudgeInput {
  hidden: boolean;
  jobs: JudgeJob[];
}

/** The line before the results on stdout, so that stray output cannot be mistaken for them. */
export const RESULTS_MARK = "\u001egrading-results ";

/** A result for an exercise that was not handed in. */
export async function notSubmitted(id: string, hidden: boolean): Promise<ExerciseResult> {
  const [entry] = findExercises(id).filter((e) => e.id === id);
  const exercise = await loadExercise(entry, hidden);
  const checks = [
    ...exercise.checks.map((c) => ({ c, hidden: false })),
    ...exercise.hiddenChecks.map((c) => ({ c, hidden: true })),
  ].map(({ c, hidden }) => ({
    name: c.name,
    points: 0,
    maxPoints: c.points,
    passed: false,
    hidden,
    message: "not submitted",
    hint: c.hint,
    todo: false,
    skipped: true,
    ms: 0,
  }));
  return {
    id,
    title: exercise.title,
    score: 0,
    maxScore: checks.reduce((s, c) => s + c.maxPoints, 0),
    checks,
    notes: ["not submitted: no file for this exercise was found"],
  };
}

async function judge(input: JudgeInput): Promise<ExerciseResult[]> {
  const results: ExerciseResult[] = [];
  for (const job of input.jobs) {
    if (job.path === null) {
      results.push(await notSubmitted(job.id, input.hidden));
      continue;
    }
    const [entry] = findExercises(job.id).filter((e) => e.id === job.id);
    const exercise = await loadExercise(entry, input.hidden);
    results.push(await gradeModule(job.id, exercise, `file://${job.path}`));
  }
  return results;
}

if (import.meta.main) {
  const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as JudgeInput;
  const results = await judge(input);
  await Deno.stdout.write(new TextEncoder().encode(`${RESULTS_MARK}${JSON.stringify(results)}\n`));
}
