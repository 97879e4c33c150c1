/**
 * Run an exercise's checks against one implementation and score them.
 *
 * The implementation is any module with the exercise's exports: the learner's file, the
 * reference solution, or a kept wrong answer. It runs in a sandbox of its own
 * (`sandbox.ts`): its own process, least privilege, and calls forwarded from the checks,
 * which stay here. Each check has a deadline (its `timeoutMs`, default 5 s) and the
 * exercise as a whole has one too (`timeoutMs` of the exercise, default 60 s): an endless
 * loop or a hung connection costs a check, and at worst the rest of that exercise.
 *
 * A module that does not load is reported once, with its error, and its checks are marked
 * not run. What the module tried and was refused (writing a file, starting a program,
 * reading outside the course) is reported as "not allowed while grading".
 *
 * @module
 */

import type { Check, Exercise } from "./exercise.ts";
import { TODO_MARK } from "./exercise.ts";
import { COURSE_ROOT } from "./discover.ts";
import { describeFailure } from "./feedback.ts";
import { type RefusedAccess, Sandbox, SandboxTimeout } from "./sandbox.ts";
import { NOT_ALLOWED } from "./wire.ts";
import { TimeoutError, withTimeout } from "../net/timeout.ts";

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
  /** The check did not run (the module does not load, or the exercise ran out of time). */
  skipped?: boolean;
  ms: number;
}

/** The outcome of one exercise. */
export interface ExerciseResult {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  checks: CheckResult[];
  /** Why the module could not be loaded, once (its checks are then marked not run). */
  loadError?: string;
  /** Things to know beyond single checks: refused actions, crashes, dropped output. */
  notes?: string[];
  /** The learner's console output during grading (cut to a readable length). */
  output?: string;
  /** The exercise's first hint, for a learner who has not started. */
  firstHint?: string;
}

/** How to grade one implementation. */
export interface GradeOptions {
  /** The course folder (library, fixtures). Default: this course. */
  root?: string;
  /** What the learner's code may read, besides the course library. Default: its own folder. */
  readPaths?: string[];
  /** The whole exercise's deadline in ms (default: the exercise's `timeoutMs`, else 60 s). */
  timeoutMs?: number;
}

/** The files the learner's code may read: the submission's folder and the course library. */
export function sandboxReadPaths(moduleUrl: string, root = COURSE_ROOT): string[] {
  const paths = [`${root}/lib`, `${root}/fixtures`, `${root}/node_modules`];
  if (moduleUrl.startsWith("file://")) {
    const path = decodeURIComponent(new URL(moduleUrl).pathname);
    // An exercise may import the learner's other exercises; a reference solution, the
    // other solutions, the same way (chapter 6 plugs chapters 3 to 5 together).
    const inExercises = path.match(/^(.*\/(?:exercises|solutions))\//);
    paths.push(inExercises ? inExercises[1] : path.slice(0, path.lastIndexOf("/")));
  }
  return paths;
}

function relative(path: string, root: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** A refused access as a sentence. */
export function refusalText(access: RefusedAccess, root = COURSE_ROOT): string {
  const value = access.value === null ? "" : ` ${relative(access.value, root)}`;
  const what: Record<string, string> = {
    read: "reading",
    write: "writing",
    net: "connecting to",
    run: "running the program",
    env: "reading the environment variable",
    sys: "reading system information",
    ffi: "loading native code",
    import: "importing from",
  };
  return `${NOT_ALLOWED}: ${what[access.permission] ?? access.permission}${value}`;
}

/** A check that did not run, or failed, as a result row. */
function row(
  check: Check<unknown>,
  hidden: boolean,
  outcome: { message: string; skipped?: boolean; ms: number },
): CheckResult {
  const passed = outcome.message === "" && !outcome.skipped;
  return {
    name: check.name,
    points: passed ? check.points : 0,
    maxPoints: check.points,
    passed,
    hidden,
    message: outcome.message,
    hint: passed ? "" : check.hint,
    todo: outcome.message.includes(`${TODO_MARK}:`),
    ...(outcome.skipped ? { skipped: true } : {}),
    ms: outcome.ms,
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Grade one implementation in a sandbox.
 *
 * @param moduleUrl the module to grade (a `file://` URL, or a `data:` URL in tests).
 */
export async function gradeModule(
  id: string,
  exercise: Exercise<unknown> & { hiddenChecks?: Check<unknown>[]; timeoutMs?: number },
  moduleUrl: string,
  options: GradeOptions = {},
): Promise<ExerciseResult> {
  const root = options.root ?? COURSE_ROOT;
  const readPaths = options.readPaths ?? sandboxReadPaths(moduleUrl, root);
  const budget = options.timeoutMs ?? exercise.timeoutMs ?? 60_000;
  const ends = performance.now() + budget;
  const shownPath = moduleUrl.startsWith("file://")
    ? relative(decodeURIComponent(new URL(moduleUrl).pathname), root)
    : "the module";

  const notes: string[] = [];
  const refused: RefusedAccess[] = [];
  let output = "";
  let sandbox: Sandbox | undefined;
  let impl: unknown;
  let loadError: string | undefined;

  const stop = async () => {
    if (!sandbox) return;
    const old = sandbox;
    sandbox = undefined;
    await old.close();
    output += old.output;
    notes.push(...old.events);
    refused.push(...old.refusedAccesses());
  };
  const start = async () => {
    sandbox = await Sandbox.start({ readPaths, cwd: root });
    sandbox.deadline = performance.now() + 20_000;
    try {
      impl = await withTimeout(sandbox.load(moduleUrl), 20_000, `loading ${shownPath}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      loadError = `Cannot load ${shownPath}: ${message.replace(/^TypeError: /, "")}`;
    }
  };

  const all = [
    ...exercise.checks.map((check) => ({ check, hidden: false })),
    ...(exercise.hiddenChecks ?? []).map((check) => ({ check, hidden: true })),
  ];
  const checks: CheckResult[] = [];
  try {
    await start();
    for (const { check, hidden } of all) {
      if (loadError) {
        checks.push(
          row(check, hidden, {
            message: "not run: the module does not load",
            skipped: true,
            ms: 0,
          }),
        );
        continue;
      }
      const left = ends - performance.now();
      if (left <= 0) {
        checks.push(row(check, hidden, {
          message: `not run: the exercise used up its ${Math.round(budget / 1000)} s`,
          skipped: true,
          ms: 0,
        }));
        continue;
      }
      if (!sandbox?.alive) {
        await stop();
        await start();
        if (loadError) {
          checks.push(row(check, hidden, { message: loadError, ms: 0 }));
          continue;
        }
      }
      const timeout = Math.min(check.timeoutMs ?? 5000, left);
      const started = performance.now();
      sandbox!.deadline = started + timeout;
      const running = Promise.resolve().then(() => check.run(impl));
      let message = "";
      try {
        await withTimeout(running, timeout, check.name);
      } catch (error) {
        if (error instanceof TimeoutError) {
          const waiting = sandbox?.pendingCalls() ?? [];
          message = waiting.length
            ? `Timed out after ${timeout} ms: ${waiting.join(", ")} had not finished ` +
              `(is it waiting for a reply that never comes?)`
            : `Timed out after ${timeout} ms: ${check.name}`;
          // Stop the learner's process, so that the check's own clean-up can run.
          await stop();
          await Promise.race([running.catch(() => {}), delay(3000)]);
        } else {
          message = describeFailure(error) || "failed";
          if (error instanceof SandboxTimeout) await stop();
        }
      }
      checks.push(row(check, hidden, { message, ms: Math.round(performance.now() - started) }));
    }
  } finally {
    await stop();
  }
  const kept = [...new Set(refused.map((r) => refusalText(r, root)))];
  const result: ExerciseResult = {
    id,
    title: exercise.title,
    score: checks.reduce((s, c) => s + c.points, 0),
    maxScore: checks.reduce((s, c) => s + c.maxPoints, 0),
    checks,
  };
  if (loadError) result.loadError = loadError;
  const allNotes = [...kept, ...new Set(notes)];
  if (allNotes.length) result.notes = allNotes;
  if (output.trim()) result.output = output.length > 4000 ? `${output.slice(0, 4000)}…` : output;
  if (exercise.hints[0]) result.firstHint = exercise.hints[0];
  return result;
}
