/**
 * Maildir deliveries without SMTP, for the benchmark (bench/smtp/run.ts): `sessions`
 * workers each deliver their share of `messages` one after another into bob's INBOX,
 * as that many SMTP sessions would. Prints the milliseconds taken.
 *
 *   deno run -A bench/smtp/deliver_only.ts <root> <messages> <sessions> <size>
 *
 * @module
 */
import { MailStore } from "../../lib/maildir/mod.ts";

const [root, messages, sessions, size] = [Deno.args[0], ...Deno.args.slice(1).map(Number)];
const box = await new MailStore(root).mailbox("bob");
const message = new TextEncoder().encode(
  "Subject: bench\r\n\r\n" +
    "x".repeat(76).concat("\r\n").repeat(Math.ceil(size / 78)).slice(0, size),
);
let next = 0;
const start = performance.now();
await Promise.all(Array.from({ length: sessions }, async () => {
  while (next < messages) {
    next++;
    await box.deliver(message);
  }
}));
console.log(performance.now() - start);
