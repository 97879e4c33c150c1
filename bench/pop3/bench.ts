/**
 * Download a whole mailbox through POP3: our server and Dovecot's, side by side in the
 * same run, on the same Maildir.
 *
 *   deno run -A bench/pop3/bench.ts [messages=5000] [bytes=4096] [rounds=3]
 *
 * Each round, for each server: our client logs in, RETRs every message and QUITs
 * (nothing deleted); then Python's poplib does the same, as a client that is not ours.
 * A first untimed round warms both servers (Dovecot builds its index then). Reported:
 * median wall time, messages per second, MB/s, and peak memory: for our server the
 * resident set of this process (server and client together, so an upper bound), for
 * Dovecot the peak resident set (VmHWM) of its pop3 process.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { Pop3Client, servePop3 } from "../../lib/pop3/mod.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";

const [count = 5000, size = 4096, rounds = 3] = Deno.args.map(Number);
const users = new Map([["bench", "pw"]]);
const root = await Deno.makeTempDir({ prefix: "pop3-bench-" });
const store = new MailStore(root);

function message(i: number): Uint8Array {
  const header = `From: a@example.org\r\nTo: bench@localhost\r\nSubject: message ${i}\r\n\r\n`;
  const line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n";
  let body = "";
  while (header.length + body.length + line.length <= size) body += line;
  return new TextEncoder().encode(header + body + ".dot-stuffed line\r\n");
}

const box = await store.mailbox("bench");
const t = performance.now();
for (let i = 0; i < count; i++) await box.deliver(message(i));
console.error(`delivered ${count} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);

async function withOurClient(port: number): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  await using client = await Pop3Client.connect(port, { timeoutMs: 30_000 });
  await client.login("bench", "pw");
  const { count: n } = await client.stat();
  let bytes = 0;
  for (let i = 1; i <= n; i++) bytes += (await client.retr(i)).length;
  await client.quit();
  return { ms: performance.now() - started, bytes };
}

const POPLIB = `
import poplib, sys, time
start = time.perf_counter()
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
p.user("bench"); p.pass_("pw")
n = p.stat()[0]
total = 0
for i in range(1, n + 1):
    total += sum(len(l) + 2 for l in p.retr(i)[1])
p.quit()
print((time.perf_counter() - start) * 1000, total)
`;

async function withPoplib(port: number): Promise<{ ms: number; bytes: number }> {
  const out = await new Deno.Command("python3", { args: ["-c", POPLIB, String(port)] }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const [ms, bytes] = new TextDecoder().decode(out.stdout).trim().split(" ").map(Number);
  return { ms, bytes };
}

/** Peak resident set of Dovecot's pop3 processes (KiB), read while they run. */
function dovecotPop3Peak(): number {
  let peak = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() !== "pop3") continue;
      const hwm = /VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${entry.name}/status`));
      if (hwm) peak = Math.max(peak, Number(hwm[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  return peak;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results: Record<string, number[]> = {};
const record = (key: string, ms: number) => (results[key] ??= []).push(ms);

await using ours = servePop3({ store, users, authFailureDelayMs: 0 });
await using dovecot = await startDovecot({ protocol: "pop3", mailRoot: root, users });
let ourPeakRss = 0;
let dovecotPeakKb = 0;
const sampler = setInterval(() => {
  ourPeakRss = Math.max(ourPeakRss, Deno.memoryUsage().rss);
  dovecotPeakKb = Math.max(dovecotPeakKb, dovecotPop3Peak());
}, 50);
let bytes = 0;
try {
  for (let round = 0; round <= rounds; round++) {
    for (const [name, port] of [["ours", ours.port], ["dovecot", dovecot.port]] as const) {
      const a = await withOurClient(port);
      const b = await withPoplib(port);
      bytes = a.bytes;
      if (round === 0) continue; // warm-up
      record(`${name} / our client`, a.ms);
      record(`${name} / poplib`, b.ms);
    }
  }
} finally {
  clearInterval(sampler);
}

const mb = bytes / 1e6;
console.log(
  `POP3 download of ${count} messages, ${size} B each (${
    mb.toFixed(1)
  } MB), median of ${rounds} rounds`,
);
console.log("| server / client | seconds | messages/s | MB/s |");
console.log("| --- | ---: | ---: | ---: |");
for (const [key, values] of Object.entries(results)) {
  const s = median(values) / 1000;
  console.log(`| ${key} | ${s.toFixed(2)} | ${Math.round(count / s)} | ${(mb / s).toFixed(1)} |`);
}
console.log(
  `peak RSS, our server + our client in one Deno process: ${(ourPeakRss / 2 ** 20).toFixed(0)} MiB`,
);
console.log(`peak RSS (VmHWM) of Dovecot's pop3 process: ${(dovecotPeakKb / 1024).toFixed(0)} MiB`);
await dovecot.stop();
await ours.close();
await Deno.remove(root, { recursive: true });
