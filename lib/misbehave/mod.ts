/**
 * Servers that misbehave on purpose (SMTP, POP3, IMAP), to test how robust a client is:
 * the scenarios as a table (`scenarios.ts`), the wire faults (`wire.ts`), and one server
 * per protocol.
 *
 * @module
 */
export * from "./scenarios.ts";
export * from "./wire.ts";
export * from "./common.ts";
export * from "./smtp.ts";
export * from "./pop3.ts";
export * from "./imap.ts";
export * from "./judge.ts";
export * from "./viz.ts";
