/**
 * V8 flags for the processes that serve the lab: `deno task lab` (deno.json) and the
 * notebooks' kernel (its kernelspec sets `DENO_V8_FLAGS`, tools/venv.ts).
 *
 * `--max-semi-space-size=4` caps V8's young generation at two semi-spaces of 4 MiB.
 * V8 doubles them, up to its maximum, while many young objects survive collections, as
 * they do when a class logs in at once: each new session's state survives. Once grown
 * they stay committed, empty, until V8's memory reducer gives them back after some idle
 * seconds, so right after a burst of logins the server held memory it did not need. The
 * cap keeps that away at the price of more frequent young collections; both are measured
 * in bench/README-imap.md (the idle classroom with and without the flag, and the stress
 * runs with and without it).
 *
 * @module
 */

/** The flags, as `deno run --v8-flags=` takes them. */
export const LAB_V8_FLAGS = "--max-semi-space-size=4";
