/**
 * Mail storage in Maildir++ folders: durable delivery, flags, folders, many users.
 *
 * @module
 */
export * from "./maildir.ts";
export * from "./store.ts";
export * from "./journaled_store.ts";
export { Journal, JOURNAL_BYTES, type JournalEntry, type JournalOptions } from "./journal.ts";
export * from "./names.ts";
export * from "./filename.ts";
export * from "./tmp_sweeper.ts";
export { mapConcurrently } from "./map_concurrently.ts";
export { type BurstTimes, timeBurst } from "./burst.ts";
