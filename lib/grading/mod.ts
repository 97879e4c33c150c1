/**
 * The grading harness: exercises, running their checks, reports and progress.
 *
 * @module
 */
export * from "./exercise.ts";
export * from "./discover.ts";
export * from "./run.ts";
export * from "./reports.ts";
export * from "./progress.ts";
