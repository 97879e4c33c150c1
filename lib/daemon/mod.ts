/**
 * Third-party servers run privately on loopback under a supervisor that reaps them all.
 *
 * @module
 */
export * from "./daemon.ts";
