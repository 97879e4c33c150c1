/**
 * IMAP (RFC 3501 IMAP4rev1, with parts of RFC 9051 IMAP4rev2): framing, parser and
 * compiler, the server over a Maildir store, and a client.
 *
 * @module
 */
export * from "./constants.ts";
export * from "./values.ts";
export * from "./framing.ts";
export * from "./parser.ts";
export * from "./compiler.ts";
export * from "./utf7.ts";
export * from "./sequence_set.ts";
export * from "./date.ts";
export * from "./search.ts";
export * from "./base_subject.ts";
export * from "./sort.ts";
export * from "./esearch.ts";
export * from "./binary.ts";
export * from "./imap_url.ts";
export * from "./thread.ts";
export * from "./keywords.ts";
export * from "./section.ts";
export * from "./envelope.ts";
export * from "./body_structure.ts";
export * from "./flags.ts";
export * from "./uidlist.ts";
export * from "./subscriptions.ts";
export * from "./mailbox.ts";
export * from "./selected.ts";
export * from "./notify.ts";
export * from "./session.ts";
export * from "./server.ts";
export * from "./response.ts";
export * from "./client.ts";
export * from "./commands/mod.ts";
