/**
 * TINY, chapter 0's line protocol: the pure protocol and its loopback server.
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./server.ts";
