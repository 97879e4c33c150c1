/**
 * Our POP3 server in a process of its own, for the benchmark (bench/pop3/bench.ts), so
 * that its memory and CPU time are its own and not the client's. It serves on `threads`
 * threads (lib/pop3/threads.ts); 1 serves on the process's main thread with `servePop3`.
 *
 *   deno run -A bench/pop3/serve_ours.ts <threads> <maildir-root> <user:password>...
 *
 * Prints "PORT <n>" once listening; stops on SIGTERM.
 *
 * @module
 */
import { MailStore } from "../../lib/maildir/mod.ts";
import { servePop3, servePop3Threads } from "../../lib/pop3/mod.ts";

const [threads, root, ...pairs] = Deno.args;
if (!root) throw new Error("Usage: serve_ours.ts <threads> <maildir-root> <user:password>...");
const users = new Map(pairs.map((pair) => pair.split(":") as [string, string]));
const server = Number(threads) === 1
  ? servePop3({ store: new MailStore(root), users, authFailureDelayMs: 0 })
  : await servePop3Threads({ root, users, threads: Number(threads), authFailureDelayMs: 0 });
console.log(`PORT ${server.port}`);
await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", resolve));
await server.close();
Deno.exit(0);
