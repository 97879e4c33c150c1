/**
 * Our IMAP server in its own process, so the benchmark can read its memory use from
 * /proc. Usage: deno run -A bench/imap/serve.ts <mail root> <user> <password>
 * Prints the port, then serves until killed.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { serveImap } from "../../lib/imap/mod.ts";

const [root, user, password] = Deno.args;
const server = serveImap({
  store: new MailStore(root),
  users: new Map([[user, password]]),
  maxConnections: 500,
});
console.log(server.port);
Deno.addSignalListener("SIGTERM", async () => {
  await server.close();
  Deno.exit(0);
});
