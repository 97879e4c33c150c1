/**
 * Loopback networking for the course: servers and clients on 127.0.0.1, lines in and out
 * with limits, and deadlines.
 *
 * @module
 */
export * from "./loopback.ts";
export * from "./connection_limits.ts";
export * from "./thread_calls.ts";
export * from "./line_reader.ts";
export * from "./idle_watch.ts";
export * from "./line_writer.ts";
export * from "./timeout.ts";
export * from "./interrupt.ts";
export * from "./auth_throttle.ts";
export * from "./login_deadline.ts";
