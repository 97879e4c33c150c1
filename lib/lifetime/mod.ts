/**
 * What a notebook opens, kept for the kernel's lifetime: re-running a cell replaces what
 * its last run opened, and temporary folders do not outlive their kernel.
 *
 * @module
 */
export * from "./kept.ts";
export * from "./temp_dirs.ts";
