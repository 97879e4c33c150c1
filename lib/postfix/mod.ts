/**
 * A private Postfix on loopback: the real MTA our SMTP code is measured against.
 *
 * @module
 */
export * from "./postfix.ts";
