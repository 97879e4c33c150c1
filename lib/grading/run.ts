/**
 * Run an exercise's checks against one implementation and score them.
 *
 * The implementation is any module with the exercise's exports: the learner's file, the
 * reference solution, or a kept wrong answer. Each check runs with a deadline; a failure
 * records the check's message and its hint. A module that does not even load fails every
 * check with the load error, so a syntax slip reads as "fix this first".
 *
 * @module
 */

import type { Check, Exercise } from "./exercise.ts";
import { TODO_MARK } from "./exercise.ts";
import { withTimeout } from "../net/timeout.ts";

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  points: number;
  maxPoints: number;
  passed: boolean;
  hidden: boolean;
  /** Why it failed (empty when passed). */
  message: string;
  /** The check's hint, on failure. */
  hint: string;
  /** The learner has not started: the code still throws the stub's TODO. */
  todo: boolean;
  ms: number;
}

/** The outcome of one exercise. */
export interface ExerciseResult {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  checks: CheckResult[];
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // node:assert messages can be long diffs; the first lines carry the point.
    return error.message.split("\n").slice(0, 12).join("\n");
  }
  return String(error);
}

/**
 * Grade one implementation.
 *
 * @param moduleUrl the module to grade (a `file://` URL).
 */
export async function gradeModule(
  id: string,
  exercise: Exercise<unknown> & { hiddenChecks?: Check<unknown>[] },
  moduleUrl: string,
): Promise<ExerciseResult> {
  let impl: unknown;
  let loadError: unknown;
  try {
    impl = await import(moduleUrl);
  } catch (error) {
    loadError = error;
  }
  const all = [
    ...exercise.checks.map((check) => ({ check, hidden: false })),
    ...(exercise.hiddenChecks ?? []).map((check) => ({ check, hidden: true })),
  ];
  const checks: CheckResult[] = [];
  for (const { check, hidden } of all) {
    const started = performance.now();
    let message = "";
    if (loadError) {
      message = `Cannot load ${moduleUrl.replace(/^file:\/\//, "")}: ${messageOf(loadError)}`;
    } else {
      try {
        await withTimeout(
          Promise.resolve().then(() => check.run(impl)),
          check.timeoutMs ?? 5000,
          check.name,
        );
      } catch (error) {
        message = messageOf(error) || "failed";
      }
    }
    const passed = message === "";
    checks.push({
      name: check.name,
      points: passed ? check.points : 0,
      maxPoints: check.points,
      passed,
      hidden,
      message,
      hint: passed ? "" : check.hint,
      todo: message.includes(`${TODO_MARK}:`),
      ms: Math.round(performance.now() - started),
    });
  }
  return {
    id,
    title: exercise.title,
    score: checks.reduce((s, c) => s + c.points, 0),
    maxScore: checks.reduce((s, c) => s + c.maxPoints, 0),
    checks,
  };
}
