/**
 * The grading harness: exercises, running their checks, reports and progress.
 *
 * How a submission is graded, and why it cannot change its own score:
 *
 * - The grading process is trusted: it loads the exercise's grader (`graders/…`), starts
 *   whatever the checks need (course servers on 127.0.0.1, third-party programs used as
 *   judges), runs the checks, and alone writes results (`results/`, `.grading/`).
 * - The learner's module runs in a separate Deno process per exercise
 *   (`sandbox_child.ts`) with least privilege: `--allow-read` of the submission's folder
 *   and the course library only, `--allow-net=127.0.0.1`, and `--deny-write`,
 *   `--deny-run`, `--deny-env`, `--deny-ffi`, `--deny-sys`. Its console goes to its own
 *   stderr; `Deno.exit` and `process.exit` throw.
 * - The checks call the learner's exports through stand-ins (`sandbox.ts`, `wire.ts`):
 *   arguments and results cross a pipe by copy, so the learner's code can only ever
 *   answer the calls it is given; it cannot reach the grader's assertions, servers or
 *   files. Synchronous calls stay synchronous for the grader (a bridge thread and
 *   `Atomics.wait`), bounded by the running check's deadline.
 * - Each check has a deadline (default 5 s), each exercise too (default 60 s): an endless
 *   loop or a hung connection costs a check, the process is replaced, grading goes on.
 * - What the learner's process tried and was refused is read from Deno's own audit log
 *   and reported as "not allowed while grading".
 * - Imports: each exercise names the course modules a learner may use (`uses`); the
 *   module graph (`deno info --json`) and the files the process actually loaded are
 *   checked against it (`imports.ts`).
 * - A class: `class.ts` grades one folder per student, each in a grading process of its
 *   own (`judge.ts`), several at once, and writes the gradebook.
 *
 * Facts this rests on, checked with Deno 2.9.6: `--allow-net=127.0.0.1` allows connecting
 * to and listening on any port of 127.0.0.1 (but not "localhost"); explicit `--deny-*`
 * flags win over any allowance; every module load of a dynamic import is checked against
 * `--allow-read`, and `DENO_AUDIT_PERMISSIONS` logs each check, granted or not, except
 * refused subprocesses, which the learner's side reports itself.
 *
 * @module
 */
export * from "./exercise.ts";
export * from "./discover.ts";
export * from "./run.ts";
export * from "./reports.ts";
export * from "./progress.ts";
export * from "./feedback.ts";
export { Sandbox, SandboxTimeout } from "./sandbox.ts";
export * from "./imports.ts";
export { findSubmission, gradebookCsv, gradeClass } from "./class.ts";
