/**
 * What a graded exercise is.
 *
 * An exercise `NN_topic/name` is four kinds of file:
 *
 * - `exercises/NN_topic/name.ts`: the stub the learner edits. It compiles, keeps the
 *   exported signatures, and marks each gap with `// TODO:`.
 * - `solutions/NN_topic/name.ts`: the reference answer, same exports.
 * - `graders/NN_topic/name.grader.ts`: `export default defineExercise({...})`, the checks,
 *   each worth points and carrying a hint shown when it fails.
 * - `graders/NN_topic/wrong/name.<mistake>.ts`: typical wrong answers, kept so that the
 *   grader validation can prove the grader catches each one.
 *
 * Optionally `graders/NN_topic/name.hidden.ts` exports `hiddenChecks`: checks that run
 * only at grading time (`deno task grade --hidden`) and are left out of the learner's
 * copy (`deno task student-copy`).
 *
 * @module
 */

/** One graded check. It passes when `run` returns, fails when it throws. */
export interface Check<Impl> {
  /** What the check proves, in a sentence: "askTiny() ends its line with CRLF". */
  name: string;
  /** Points for passing. */
  points: number;
  /** Shown when the check fails: a nudge, not the answer. */
  hint: string;
  /** Most time the check may take, in ms. Default 5000. */
  timeoutMs?: number;
  /** Exercise the learner's module; throw (e.g. with `node:assert/strict`) on failure. */
  run(impl: Impl): void | Promise<void>;
}

/** An exercise: metadata, hints on request, and its checks. */
export interface Exercise<Impl> {
  /** Title shown in tables: "Ask the tiny server". */
  title: string;
  /** Hints revealed one at a time by `deno task hint`, from gentle to specific. */
  hints: string[];
  /** The visible checks. */
  checks: Check<Impl>[];
  /** Most time the whole exercise may take, in ms. Default 60000. */
  timeoutMs?: number;
  /**
   * Course modules the learner may import, as paths from the course root: files
   * (`"lib/net/mod.ts"`) or folders (`"lib/net/"`). Anything else in the course that the
   * submission reaches scores 0 (see `imports.ts`). Default: the folders the shipped stub
   * imports. `lib/grading/exercise.ts` (for `todo()`) is always allowed.
   */
  uses?: string[];
  /**
   * Optional challenge work, beyond what the chapter needs; the progress view counts it
   * apart from the required exercises. Default false (required).
   */
  challenge?: boolean;
}

/**
 * Declare an exercise; the type parameter is the learner module's type, taken from the
 * stub so that graders type-check against the signatures learners see:
 *
 * @example
 * ```ts ignore
 * import { defineExercise } from "../../lib/grading/exercise.ts";
 * type Impl = typeof import("../../exercises/00_welcome/ask_tiny.ts");
 * export default defineExercise<Impl>({ title: "...", hints: ["..."], checks: [] });
 * ```
 */
export function defineExercise<Impl>(exercise: Exercise<Impl>): Exercise<Impl> {
  return exercise;
}

/** The message a stub throws, so the harness can say "not started yet". */
export const TODO_MARK = "TODO";

/**
 * What a stub's function body throws: `throw todo("parse the reply code")`.
 *
 * @example
 * ```ts
 * import { todo } from "./exercise.ts";
 * const error = todo("write this");
 * if (!error.message.startsWith("TODO")) throw new Error("unexpected");
 * ```
 */
export function todo(what: string): Error {
  return new Error(`${TODO_MARK}: ${what}`);
}
