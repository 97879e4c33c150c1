/**
 * A whole message: build one ({@linkcode buildMessage}) and take one apart
 * ({@linkcode parseMessage}). The two halves live in their own files.
 *
 * @module
 */
export * from "./build_message.ts";
export * from "./parse_message.ts";
