/**
 * Our POP3 server in a process of its own, for the benchmark (bench/pop3/bench.ts), so
 * that its memory and CPU time are its own and not the client's.
 *
 *   deno run -A bench/pop3/serve_ours.ts <maildir-root> <user:password>...
 *
 * Prints "PORT <n>" once listening; stops on SIGTERM.
 *
 * @module
 */
import { MailStore } from "../../lib/maildir/mod.ts";
import { servePop3 } from "../../lib/pop3/mod.ts";

const [root, ...pairs] = Deno.args;
if (!root) throw new Error("Usage: serve_ours.ts <maildir-root> <user:password>...");
const users = new Map(pairs.map((pair) => pair.split(":") as [string, string]));
const server = servePop3({ store: new MailStore(root), users, authFailureDelayMs: 0 });
console.log(`PORT ${server.port}`);
await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
await server.close();
Deno.exit(0);
