/**
 * A private Dovecot on loopback: the real POP3 and IMAP server our code is measured against.
 *
 * @module
 */
export * from "./dovecot.ts";
