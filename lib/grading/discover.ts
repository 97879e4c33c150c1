/**
 * Where exercises live, by convention: `exercises/NN_topic/name.ts` and its grader
 * `graders/NN_topic/name.grader.ts` (see `exercise.ts`).
 *
 * @module
 */

import type { Check, Exercise } from "./exercise.ts";
import { usesFromStub } from "./imports.ts";

/** The course's root folder (two levels above this file). */
export const COURSE_ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** An exercise found on disk. */
export interface ExerciseEntry {
  /** `"00_welcome/ask_tiny"` */
  id: string;
  /** `"00_welcome"` */
  chapter: string;
  graderPath: string;
  hiddenPath: string | null;
  /** The learner's file, in `exercises/`. */
  exercisePath: string;
  /** The reference answer, or null in a learner's copy. */
  solutionPath: string | null;
  /** Typical wrong answers kept as test data. */
  wrongPaths: string[];
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function sortedEntries(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

/**
 * Every exercise, in course order. `filter` keeps one chapter (`"00_welcome"` or
 * `"00"`) or one exercise (`"00_welcome/ask_tiny"`).
 */
export function findExercises(filter?: string, root = COURSE_ROOT): ExerciseEntry[] {
  const found: ExerciseEntry[] = [];
  for (const chapter of sortedEntries(`${root}/graders`)) {
    if (!chapter.isDirectory) continue;
    for (const file of sortedEntries(`${root}/graders/${chapter.name}`)) {
      const match = file.name.match(/^(.+)\.grader\.ts$/);
      if (!match) continue;
      const name = match[1];
      const id = `${chapter.name}/${name}`;
      const wrongDir = `${root}/graders/${chapter.name}/wrong`;
      const hidden = `${root}/graders/${chapter.name}/${name}.hidden.ts`;
      const solution = `${root}/solutions/${id}.ts`;
      found.push({
        id,
        chapter: chapter.name,
        graderPath: `${root}/graders/${chapter.name}/${file.name}`,
        hiddenPath: exists(hidden) ? hidden : null,
        exercisePath: `${root}/exercises/${id}.ts`,
        solutionPath: exists(solution) ? solution : null,
        wrongPaths: sortedEntries(wrongDir)
          .filter((w) => w.name.startsWith(`${name}.`) && w.name.endsWith(".ts"))
          .map((w) => `${wrongDir}/${w.name}`),
      });
    }
  }
  if (!filter) return found;
  const wanted = filter.replace(/\.ts$/, "").replace(/^exercises\//, "");
  return found.filter((e) =>
    e.id === wanted || e.chapter === wanted || e.chapter.startsWith(`${wanted}_`) ||
    e.id.endsWith(`/${wanted}`)
  );
}

/** Load an exercise's grader, with its hidden checks when asked. */
export async function loadExercise(
  entry: ExerciseEntry,
  includeHidden = false,
): Promise<Exercise<unknown> & { hiddenChecks: Check<unknown>[] }> {
  const grader = (await import(`file://${entry.graderPath}`)).default as Exercise<unknown>;
  let hiddenChecks: Check<unknown>[] = [];
  if (includeHidden && entry.hiddenPath) {
    hiddenChecks = (await import(`file://${entry.hiddenPath}`)).hiddenChecks as Check<unknown>[];
  }
  // Without a declared import policy, the learner may use what the shipped stub imports.
  let uses = grader.uses;
  if (!uses) {
    const stub = await originalStub(entry) ?? readOrEmpty(entry.exercisePath);
    uses = usesFromStub(stub, entry.id);
  }
  return { ...grader, uses, hiddenChecks };
}

function readOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * The stub as the course shipped it: the first version git recorded, so that a learner's
 * edits (committed or not) never count as "the stub". Null outside a git checkout.
 */
export async function originalStub(
  entry: ExerciseEntry,
  root = COURSE_ROOT,
): Promise<string | null> {
  const relative = entry.exercisePath.slice(root.length + 1);
  const git = (args: string[]) =>
    new Deno.Command("git", { args, cwd: root, stdout: "piped", stderr: "null" }).output().catch(
      () => null,
    );
  const log = await git(["log", "--diff-filter=A", "--format=%H", "--", relative]);
  const first = log?.success
    ? new TextDecoder().decode(log.stdout).trim().split("\n").at(-1)
    : undefined;
  if (!first) return null;
  const show = await git(["show", `${first}:${relative}`]);
  return show?.success ? new TextDecoder().decode(show.stdout) : null;
}
