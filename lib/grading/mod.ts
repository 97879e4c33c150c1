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
