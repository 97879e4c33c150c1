/**
 * Mail storage in Maildir++ folders: durable delivery, flags, folders, many users.
 *
 * @module
 */
export * from "./maildir.ts";
export * from "./store.ts";
export * from "./names.ts";
export * from "./filename.ts";
export * from "./tmp_sweeper.ts";
