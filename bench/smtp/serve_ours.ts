/**
 * Our SMTP server in a process of its own, for the benchmark (bench/smtp/run.ts), so its
 * peak memory is its own.
 *
 *   deno run -A bench/smtp/serve_ours.ts <maildir-root> [--discard | --journal-only]
 *
 * The store is the one the lab uses: a journal in front of Maildir (lib/maildir/journaled_store.ts).
 * Prints "PORT <n>" once listening; stops on SIGTERM. `--discard` accepts and drops every
 * message (no disk): the protocol code's own ceiling. `--journal-only` answers each message
 * once it is in the journal and synced, as the lab's store does, then drops it instead of
 * filing it into Maildir: an experiment that shows what filing costs the 250s, not a server.
 *
 * @module
 */

import {
  encodeJournalEntry,
  Journal,
  JOURNAL_FILE,
  JournaledMailStore,
  uniqueName,
} from "../../lib/maildir/mod.ts";
import { type MailboxStore, serveSmtp } from "../../lib/smtp/mod.ts";

const [root, flag] = Deno.args;
if (!root) throw new Error("Usage: serve_ours.ts <maildir-root> [--discard | --journal-only]");

/** A store that forgets every message at once. */
const discard: MailboxStore = {
  mailbox: () => Promise.resolve({ deliver: () => Promise.resolve() }),
};

/**
 * The lab store's journal without its filing: each message is appended and synced as in
 * JournaledMailStore.accept(), and counted as filed at once, so the journal never fills.
 */
async function journalOnly(): Promise<MailboxStore & { journal: Journal }> {
  await Deno.mkdir(root, { recursive: true });
  const { journal } = await Journal.open(`${root}/${JOURNAL_FILE}`, {
    onDurable: (entries) => journal.filed(entries.at(-1)!.seq),
  });
  return {
    journal,
    mailbox: discard.mailbox,
    accept: async (users, bytes) => {
      await journal.append(encodeJournalEntry(uniqueName(), [...users], bytes));
    },
  };
}

const store = flag === "--discard" || flag === "--journal-only"
  ? null
  : await JournaledMailStore.open(root);
const journaled = flag === "--journal-only" ? await journalOnly() : null;
const server = serveSmtp({
  store: store ?? journaled ?? discard,
  users: new Map([["bob", "x"]]),
  domains: ["bench.test"],
  hostname: "bench.test",
});
console.log(`PORT ${server.port}`);
await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
await server.close();
await store?.close();
await journaled?.journal.close();
// For the benchmark's table: how many messages shared each journal sync.
const syncs = store?.journalSyncs ?? journaled?.journal.syncs;
if (syncs !== undefined) await Deno.writeTextFile(`${root}/journal-syncs`, String(syncs));
Deno.exit(0);
