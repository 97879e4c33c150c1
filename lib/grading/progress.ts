/**
 * The learner's progress, kept in `.grading/progress.json` (git-ignored): best and last
 * score per exercise and how many hints were shown.
 *
 * @module
 */

import { COURSE_ROOT, findExercises, loadExercise } from "./discover.ts";
import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../viz/display.ts";
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

/** One exercise as the course overview lists it. */
export interface OverviewItem {
  /** `"03_smtp/mx_choice"` */
  id: string;
  chapter: string;
  title: string;
  /** Points of its visible checks. */
  points: number;
  /** Optional challenge work (see `Exercise.challenge`). */
  challenge: boolean;
}

/** Every exercise of the course with its title, visible points and kind. */
export async function courseItems(root = COURSE_ROOT): Promise<OverviewItem[]> {
  const items: OverviewItem[] = [];
  for (const entry of findExercises(undefined, root)) {
    const exercise = await loadExercise(entry);
    items.push({
      id: entry.id,
      chapter: entry.chapter,
      title: exercise.title,
      points: exercise.checks.reduce((sum, check) => sum + check.points, 0),
      challenge: exercise.challenge ?? false,
    });
  }
  return items;
}

/** The overview as text, shown as such in a notebook too. */
export class CourseOverview {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": `<pre>${escapeHtml(this.text)}</pre>`, "text/plain": this.text };
  }
}

/**
 * The course at a glance, for `deno task progress` and chapter 0: per chapter, each
 * exercise with its title, whether it is required or a challenge, and the learner's best
 * score; then the totals for required and for challenge work.
 *
 * @example
 * ```ts
 * import { courseOverview } from "./progress.ts";
 * const text = courseOverview([
 *   { id: "00_welcome/ask_tiny", chapter: "00_welcome", title: "Ask", points: 5, challenge: false },
 * ], { "00_welcome/ask_tiny": { best: 5, last: 5, maxScore: 5, hintsShown: 0 } });
 * if (!String(text).includes("required: 1 of 1 exercises passed, 5/5 points")) throw new Error(`${text}`);
 * ```
 */
export function courseOverview(
  items: readonly OverviewItem[],
  progress: Progress,
): CourseOverview {
  const lines: string[] = [];
  const totals = {
    required: { passed: 0, count: 0, best: 0, points: 0 },
    challenge: { passed: 0, count: 0, best: 0, points: 0 },
  };
  for (const chapter of [...new Set(items.map((i) => i.chapter))]) {
    const inChapter = items.filter((i) => i.chapter === chapter);
    const points = (challenge: boolean) =>
      inChapter.filter((i) => i.challenge === challenge).reduce((s, i) => s + i.points, 0);
    lines.push(
      `${chapter}: ${inChapter.filter((i) => !i.challenge).length} required (${
        points(false)
      } points)` +
        `, ${inChapter.filter((i) => i.challenge).length} challenge (${points(true)} points)`,
    );
    for (const item of inChapter) {
      const p = progress[item.id];
      const best = p?.best ?? 0;
      const passed = p !== undefined && p.best === p.maxScore;
      const mark = !p ? "·" : passed ? "✓" : "…";
      const kind = item.challenge ? "challenge" : "required";
      lines.push(
        `  ${mark} ${item.id.slice(chapter.length + 1).padEnd(18)} ${kind.padEnd(9)} ` +
          `${`${p ? best : "-"}/${item.points}`.padStart(7)}  ${item.title}`,
      );
      const total = totals[kind];
      total.count++;
      total.points += item.points;
      total.best += Math.min(best, item.points);
      if (passed) total.passed++;
    }
  }
  const sum = (name: keyof typeof totals) => {
    const t = totals[name];
    return `${name}: ${t.passed} of ${t.count} exercises passed, ${t.best}/${t.points} points`;
  };
  lines.push("", `${sum("required")}; ${sum("challenge")}`);
  return new CourseOverview(lines.join("\n"));
}
