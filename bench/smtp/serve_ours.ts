/**
 * Our SMTP server in a process of its own, for the benchmark (bench/smtp/run.ts), so its
 * peak memory is its own.
 *
 *   deno run -A bench/smtp/serve_ours.ts <maildir-root> [--discard]
 *
 * The store is the one the lab uses: a journal in front of Maildir (lib/maildir/journaled_store.ts).
 * Prints "PORT <n>" once listening; stops on SIGTERM. `--discard` accepts and drops every
 * message (no disk): the protocol code's own ceiling.
 *
 * @module
 */

import { JournaledMailStore } from "../../lib/maildir/mod.ts";
import { type MailboxStore, serveSmtp } from "../../lib/smtp/mod.ts";

const [root, flag] = Deno.args;
if (!root) throw new Error("Usage: serve_ours.ts <maildir-root> [--discard]");

/** A store that forgets every message at once. */
const discard: MailboxStore = {
  mailbox: () => Promise.resolve({ deliver: () => Promise.resolve() }),
};

const store = flag === "--discard" ? null : await JournaledMailStore.open(root);
const server = serveSmtp({
  store: store ?? discard,
  users: new Map([["bob", "x"]]),
  domains: ["bench.test"],
  hostname: "bench.test",
});
console.log(`PORT ${server.port}`);
await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
await server.close();
await store?.close();
// For the benchmark's table: how many messages shared each journal sync.
if (store) await Deno.writeTextFile(`${root}/journal-syncs`, String(store.journalSyncs));
Deno.exit(0);
