/**
 * Our SMTP server in a process of its own, for the benchmark (bench/smtp/run.ts), so its
 * peak memory is its own.
 *
 *   deno run -A bench/smtp/serve_ours.ts <maildir-root> [--discard]
 *
 * Prints "PORT <n>" once listening; stops on SIGTERM. `--discard` accepts and drops every
 * message (no disk): the protocol code's own ceiling.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { type MailboxStore, serveSmtp } from "../../lib/smtp/mod.ts";

const [root, flag] = Deno.args;
if (!root) throw new Error("Usage: serve_ours.ts <maildir-root> [--discard]");

/** A store that forgets every message at once. */
const discard: MailboxStore = {
  mailbox: () => Promise.resolve({ deliver: () => Promise.resolve() }),
};

const server = serveSmtp({
  store: flag === "--discard" ? discard : new MailStore(root),
  users: new Map([["bob", "x"]]),
  domains: ["bench.test"],
  hostname: "bench.test",
});
console.log(`PORT ${server.port}`);
await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
await server.close();
Deno.exit(0);
