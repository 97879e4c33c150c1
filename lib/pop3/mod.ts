/**
 * POP3 (RFC 1939, RFC 2449): codec, pure session, server (on one thread or several), client
 * and UIDL sync.
 *
 * @module
 */
export * from "./constants.ts";
export * from "./command.ts";
export * from "./status.ts";
export * from "./multiline.ts";
export * from "./backend.ts";
export * from "./session.ts";
export * from "./maildrop_locks.ts";
export * from "./server.ts";
export { servePop3Threads, type ThreadedPop3Options, type ThreadedPop3Server } from "./threads.ts";
export * from "./client.ts";
export * from "./sync.ts";
