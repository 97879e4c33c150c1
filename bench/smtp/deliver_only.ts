/**
 * The store's deliveries without SMTP, for the benchmark (bench/smtp/run.ts): `sessions`
 * workers each hand their share of `messages` one after another to the same store our
 * server uses (a journal in front of bob's Maildir), as that many SMTP sessions would.
 * Prints the milliseconds until every message is in Maildir.
 *
 *   deno run -A bench/smtp/deliver_only.ts <root> <messages> <sessions> <size>
 *
 * @module
 */
import { JournaledMailStore } from "../../lib/maildir/mod.ts";

const [root, messages, sessions, size] = [Deno.args[0], ...Deno.args.slice(1).map(Number)];
const store = await JournaledMailStore.open(root);
const message = new TextEncoder().encode(
  "Subject: bench\r\n\r\n" +
    "x".repeat(76).concat("\r\n").repeat(Math.ceil(size / 78)).slice(0, size),
);
let next = 0;
const start = performance.now();
await Promise.all(Array.from({ length: sessions }, async () => {
  while (next < messages) {
    next++;
    await store.accept(["bob"], message);
  }
}));
await store.close();
console.log(performance.now() - start);
