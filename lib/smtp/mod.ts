/**
 * SMTP (RFC 5321) for the course: reply and command codecs, the DATA block framing, the
 * session state machine, a server that delivers to Maildir, a client, and MX relaying.
 *
 * @module
 */
export * from "./reply.ts";
export * from "./error.ts";
export * from "./command.ts";
export * from "./data.ts";
export * from "./session.ts";
export * from "./received.ts";
export * from "./backend.ts";
export * from "./server.ts";
export * from "./client.ts";
export * from "./mx.ts";
export * from "./raw.ts";
