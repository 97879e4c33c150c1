/**
 * Our IMAP server in its own process, so the benchmark can read its memory use from
 * /proc. Usage: deno run -A bench/imap/serve.ts <mail root> <user> <password> [max connections]
 * Prints the port, then serves until killed.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { serveImap } from "../../lib/imap/mod.ts";

const [root, user, password, maxConnections] = Deno.args;
const server = serveImap({
  store: new MailStore(root),
  users: new Map([[user, password]]),
  maxConnections: Number(maxConnections ?? 500),
  // Every client of the benchmark is 127.0.0.1: the cap per address is the whole cap.
  maxConnectionsPerAddress: Number(maxConnections ?? 500),
});
Deno.addSignalListener("SIGTERM", async () => {
  await server.close();
  Deno.exit(0);
});
// SIGUSR2: collect garbage (when started with --v8-flags=--expose-gc) and print the
// memory use as JSON on stderr, so a benchmark can tell live memory from garbage: once
// after an ordinary full collection, once after a last-resort one, which also gives back
// the young generation that a burst of allocation grew (as V8's memory reducer does by
// itself after some idle seconds).
type Gc = (options?: { type: string; execution: string; flavor?: string }) => void;
Deno.addSignalListener("SIGUSR2", () => {
  const gc = (globalThis as { gc?: Gc }).gc;
  gc?.();
  const full = Deno.memoryUsage();
  gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  console.error(JSON.stringify({ ...full, reduced: Deno.memoryUsage() }));
});
console.log(server.port); // last: once the port is known, the signals are handled
