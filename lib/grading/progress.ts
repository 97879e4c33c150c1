/**
 * The learner's progress, kept in `.grading/progress.json` (git-ignored): best and last
 * score per exercise and how many hints were shown.
 *
 * @module
 */

import { COURSE_ROOT } from "./discover.ts";
import type { ExerciseResult } from "./run.ts";

/** What we remember about one exercise. */
export interface ExerciseProgress {
  best: number;
  last: number;
  maxScore: number;
  /** When it first reached full points (ISO time). */
  passedAt?: string;
  hintsShown: number;
}

/** Progress for the whole course, by exercise id. */
export type Progress = Record<string, ExerciseProgress>;

/** Where progress is stored. */
export function progressPath(root = COURSE_ROOT): string {
  return `${root}/.grading/progress.json`;
}

/** Read progress (empty when nothing was graded yet). */
export function readProgress(root = COURSE_ROOT): Progress {
  try {
    return JSON.parse(Deno.readTextFileSync(progressPath(root)));
  } catch {
    return {};
  }
}

/** Save progress. */
export function writeProgress(progress: Progress, root = COURSE_ROOT): void {
  Deno.mkdirSync(`${root}/.grading`, { recursive: true });
  Deno.writeTextFileSync(progressPath(root), JSON.stringify(progress, null, 2) + "\n");
}

/** Fold fresh results into progress. */
export function recordResults(progress: Progress, results: readonly ExerciseResult[]): Progress {
  const next = { ...progress };
  for (const r of results) {
    const before = next[r.id] ?? { best: 0, last: 0, maxScore: r.maxScore, hintsShown: 0 };
    next[r.id] = {
      ...before,
      best: Math.max(before.best, r.score),
      last: r.score,
      maxScore: r.maxScore,
      passedAt: before.passedAt ?? (r.score === r.maxScore ? new Date().toISOString() : undefined),
    };
  }
  return next;
}
