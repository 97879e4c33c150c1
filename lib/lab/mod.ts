/**
 * The mail lab: the course's mail servers together, for ordinary mail programs.
 *
 * @module
 */
export * from "./services.ts";
export * from "./lab.ts";
export * from "./args.ts";
export * from "./v8_flags.ts";
