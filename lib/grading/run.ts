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
import { COURSE_ROOT, findExercises } from "./discover.ts";
import { describeFailure } from "./feedback.ts";
import { type RefusedAccess, Sandbox, SandboxTimeout } from "./sandbox.ts";
import { NOT_ALLOWED } from "./wire.ts";
import {
  allowedClosure,
  type ImportViolation,
  importViolations,
  violationText,
} from "./imports.ts";
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
  /** Course modules the submission uses but may not (the exercise then scores 0). */
  importViolations?: string[];
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

/**
 * The submission's own folder: its `exercises/` folder, or the module's folder. An
 * exercise may import the learner's other exercises; a reference solution, the other
 * solutions, the same way (chapter 6 plugs chapters 3 to 5 together).
 */
export function submissionFolder(path: string): string {
  const inExercises = path.match(/^(.*\/(?:exercises|solutions))\//);
  return inExercises ? inExercises[1] : path.slice(0, path.lastIndexOf("/"));
}

/** The files the learner's code may read: the submission's folder and the course library. */
export function sandboxReadPaths(moduleUrl: string, root = COURSE_ROOT): string[] {
  const paths = [`${root}/lib`, `${root}/fixtures`, `${root}/node_modules`];
  if (moduleUrl.startsWith("file://")) {
    const own = submissionFolder(decodeURIComponent(new URL(moduleUrl).pathname));
    paths.push(own);
    // A staged submission (class grading) reaches the library through links beside it.
    if (own.endsWith("/exercises")) {
      const tree = own.slice(0, -"/exercises".length);
      if (tree !== root) paths.push(`${tree}/lib`, `${tree}/fixtures`);
    }
  }
  return paths;
}

/**
 * Course files the learner's process read at run time that its exercise does not allow
 * (e.g. a computed `import("../../lib/" + name)`), beyond what the allowed modules load.
 */
async function runtimeViolations(
  files: string[],
  path: string,
  uses: readonly string[],
  root: string,
  reached: ReadonlySet<string>,
): Promise<ImportViolation[]> {
  const allowed = await allowedClosure(uses, root);
  const realRoot = Deno.realPathSync(root);
  const own = Deno.realPathSync(submissionFolder(path));
  const free = [`${realRoot}/fixtures/`, `${realRoot}/node_modules/`, `${own}/`];
  const shownOwn = relative(path, root);
  return files.flatMap((file) => {
    let real = file;
    try {
      real = Deno.realPathSync(file);
    } catch {
      // gone: judge by the name
    }
    if (allowed.has(real) || reached.has(real) || free.some((f) => real.startsWith(f))) return [];
    const module = relative(real, realRoot);
    return [{ module, chain: [shownOwn, module], atRunTime: true }];
  });
}

function relative(path: string, root: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

const libraryEnvCache = new Map<string, Set<string>>();

/**
 * Environment variables the course library itself asks for (and does without when
 * refused, as in the sandbox): their refusals are not the learner's doing.
 */
function libraryEnvironment(root: string): Set<string> {
  let names = libraryEnvCache.get(root);
  if (names) return names;
  names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        for (const m of Deno.readTextFileSync(path).matchAll(/Deno\.env\.get\("([^"]+)"\)/g)) {
          names!.add(m[1]);
        }
      }
    }
  };
  try {
    walk(`${root}/lib`);
  } catch {
    // no library folder: nothing to excuse
  }
  libraryEnvCache.set(root, names);
  return names;
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
    filesRead.push(...old.filesRead());
  };
  const start = async () => {
    sandbox = await Sandbox.start({ readPaths, cwd: root });
    sandbox.deadline = performance.now() + 20_000;
    try {
      impl = await withTimeout(sandbox.load(moduleUrl), 20_000, `loading ${shownPath}`);
    } catch (error) {
      const message = error instanceof TimeoutError
        ? "it did not finish loading within 20 s (an endless loop at its top level?)"
        : error instanceof Error
        ? error.message
        : String(error);
      loadError = `Cannot load ${shownPath}: ${message.replace(/^TypeError: /, "")}`;
    }
  };

  const all = [
    ...exercise.checks.map((check) => ({ check, hidden: false })),
    ...(exercise.hiddenChecks ?? []).map((check) => ({ check, hidden: true })),
  ];
  const checks: CheckResult[] = [];
  const modulePath = moduleUrl.startsWith("file://")
    ? decodeURIComponent(new URL(moduleUrl).pathname)
    : null;
  const uses = exercise.uses;
  let reached = new Set<string>();
  if (uses && modulePath) {
    let violations: ImportViolation[] = [];
    const others = new Set(findExercises(undefined, root).map((e) => `${e.id}.ts`));
    try {
      ({ violations, reached } = await importViolations(
        modulePath,
        uses,
        submissionFolder(modulePath),
        root,
        others,
      ));
    } catch {
      // The graph cannot be read (a syntax error, a missing file): loading will say why.
    }
    if (violations.length) {
      return {
        id,
        title: exercise.title,
        score: 0,
        maxScore: all.reduce((s, { check }) => s + check.points, 0),
        checks: all.map(({ check, hidden }) =>
          row(check, hidden, { message: "not run: a forbidden import", skipped: true, ms: 0 })
        ),
        importViolations: violations.map((v) => violationText(v, uses)),
        ...(exercise.hints[0] ? { firstHint: exercise.hints[0] } : {}),
      };
    }
  }
  const filesRead: string[] = [];
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
  const libraryEnv = libraryEnvironment(root);
  const kept = [
    ...new Set(
      refused.filter((r) => !(r.permission === "env" && libraryEnv.has(r.value ?? "")))
        .map((r) => refusalText(r, root)),
    ),
  ];
  if (uses && modulePath) {
    const late = await runtimeViolations([...new Set(filesRead)], modulePath, uses, root, reached);
    if (late.length) {
      for (const c of checks) {
        if (c.passed) {
          Object.assign(c, {
            passed: false,
            points: 0,
            message: "not counted: a forbidden import",
          });
        }
      }
      const result: ExerciseResult = {
        id,
        title: exercise.title,
        score: 0,
        maxScore: checks.reduce((s, c) => s + c.maxPoints, 0),
        checks,
        importViolations: late.map((v) => violationText(v, uses)),
      };
      if (kept.length) result.notes = kept;
      return result;
    }
  }
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
