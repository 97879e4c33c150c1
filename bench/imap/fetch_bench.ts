/**
 * FETCH throughput and memory: our IMAP server and Dovecot side by side, on the same
 * Maildir, driven by the same client (lib/imap's ImapClient) in the same run.
 *
 *   deno run -A bench/imap/fetch_bench.ts [messages=5000] [sessions=50]
 *
 * Steps, for each server: one session fetches FLAGS/UID/RFC822.SIZE of every message
 * (the index), then ENVELOPE of every message, then every full message (BODY.PEEK[]);
 * then `sessions` clients at once each SELECT and fetch the headers of 100 messages.
 * Each step runs twice (cold: the first run builds caches; warm). Memory is the resident
 * set of the server's processes (ours: one Deno process; Dovecot: master and children).
 *
 * @module
 */

import { startOurServer } from "./our_server.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import { ImapClient } from "../../lib/imap/mod.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { LAB_V8_FLAGS } from "../../lib/lab/mod.ts";
import { processOf, processTree } from "../processes.ts";
import { recordSummary } from "./summary.ts";
import { recordBlock } from "../record.ts";

const COUNT = Number(Deno.args[0] ?? 5000);
const SESSIONS = Number(Deno.args[1] ?? 50);
const USER = "bench", PASSWORD = "bench";

function message(i: number): Uint8Array {
  const body = `Line ${i} of a benchmark message, long enough to look like mail.\r\n`.repeat(50);
  return new TextEncoder().encode(
    `From: Sender ${i % 17} <s${i % 17}@example.org>\r\nTo: bench@example.net\r\n` +
      `Subject: Benchmark message ${i}\r\nDate: Mon, 6 May 2024 09:00:00 +0000\r\n` +
      `Message-ID: <${i}@bench.example>\r\n\r\n${body}`,
  );
}

/** Resident memory (KiB) of a process and all its descendants. */
async function rssTree(pid: number): Promise<number> {
  return (await processTree(pid)).rss / 1024;
}

async function timed(what: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await what();
  return performance.now() - t0;
}

interface Row {
  server: string;
  step: string;
  run: string;
  ms: number;
  rate: string;
  rssMiB: number;
}

async function measure(name: string, port: number, pid: number, rows: Row[]): Promise<void> {
  for (const run of ["cold", "warm"]) {
    await using client = await ImapClient.connect(port, { timeoutMs: 600_000 });
    await client.login(USER, PASSWORD);
    await client.select("INBOX", { readOnly: true });
    let bytes = 0;
    const steps: [string, () => Promise<unknown>][] = [
      ["FETCH 1:* (UID FLAGS RFC822.SIZE)", () => client.fetch("1:*", "(UID FLAGS RFC822.SIZE)")],
      ["FETCH 1:* ENVELOPE", () => client.fetch("1:*", "ENVELOPE")],
      ["FETCH 1:* BODY.PEEK[]", async () => {
        const all = await client.fetch("1:*", "BODY.PEEK[]");
        bytes = all.reduce((n, m) => n + (m.sections.get("BODY[]")?.length ?? 0), 0);
      }],
    ];
    for (const [step, run_] of steps) {
      const ms = await timed(run_);
      const rate = step.includes("BODY.PEEK")
        ? `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`
        : `${Math.round(COUNT / (ms / 1000))} msg/s`;
      rows.push({
        server: name,
        step,
        run,
        ms: Math.round(ms),
        rate,
        rssMiB: Math.round((await rssTree(pid)) / 1024),
      });
    }
    await client.logout();
    // Many sessions at once: each selects and reads 100 headers.
    let peak = 0;
    const sampler = setInterval(() => rssTree(pid).then((kb) => (peak = Math.max(peak, kb))), 50);
    const ms = await timed(() =>
      Promise.all(Array.from({ length: SESSIONS }, async (_, i) => {
        await using c = await ImapClient.connect(port, { timeoutMs: 600_000 });
        await c.login(USER, PASSWORD);
        await c.select("INBOX", { readOnly: true });
        const start = 1 + ((i * 100) % Math.max(1, COUNT - 100));
        await c.fetch(`${start}:${start + 99}`, "BODY.PEEK[HEADER]");
        await c.logout();
      }))
    );
    clearInterval(sampler);
    rows.push({
      server: name,
      step: `${SESSIONS} sessions x 100 headers`,
      run,
      ms: Math.round(ms),
      rate: `${Math.round((SESSIONS * 100) / (ms / 1000))} msg/s`,
      rssMiB: Math.round(Math.max(peak, await rssTree(pid)) / 1024),
    });
  }
}

const root = await Deno.makeTempDir({ prefix: "imap-bench-" });
const rows: Row[] = [];
try {
  const box = await new MailStore(root).mailbox(USER);
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) await box.deliver(message(i), { flags: i % 3 ? "S" : "" });
  console.error(`delivered ${COUNT} messages in ${Math.round(performance.now() - t0)} ms`);

  // Dovecot first: starting it hands the Maildir to an unprivileged user (see dovecot.ts);
  // our server runs as the same user as this script and can still read it.
  {
    await using dovecot = await startDovecot({
      protocol: "imap",
      mailRoot: root,
      users: new Map([[USER, PASSWORD]]),
    });
    const master = await processOf(`${dovecot.dir}/dovecot.conf`);
    await measure("Dovecot", dovecot.port, master, rows);
  }
  // As the lab runs it: with LAB_V8_FLAGS.
  const { process: ours, port, stop: stopOurs } = await startOurServer({
    root,
    user: USER,
    password: PASSWORD,
    v8Flags: [LAB_V8_FLAGS],
  });
  try {
    await measure("course server", port, ours.pid, rows);
  } finally {
    await stopOurs();
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

const README = new URL("../README-imap.md", import.meta.url);
const version = new TextDecoder().decode(
  (await new Deno.Command("dovecot", { args: ["--version"], stdout: "piped" }).output()).stdout,
).trim();
const cpus = (await Deno.readTextFile("/proc/cpuinfo")).match(/^processor/gm)?.length ?? 0;
const block = [
  "<!-- fetch:begin (written by bench/imap/fetch_bench.ts) -->",
  "",
  `Run on ${
    new Date().toISOString().slice(0, 10)
  } (Deno ${Deno.version.deno}, Dovecot ${version}, ` +
  `${cpus} cores): ${COUNT} messages, ${SESSIONS} sessions.`,
  "",
  "| server | step | run | ms | rate | RSS MiB |",
  "| ------ | ---- | --- | -: | ---: | ------: |",
  ...rows.map((r) => `| ${r.server} | ${r.step} | ${r.run} | ${r.ms} | ${r.rate} | ${r.rssMiB} |`),
  "",
  "<!-- fetch:end -->",
].join("\n");
await recordBlock(README, "fetch", block);
console.log(block);

/** Ours / Dovecot time of each step of one run, for the README's summary. */
const times = (run: string) =>
  [...new Set(rows.map((r) => r.step))].map((step) => {
    const ms = (server: string) =>
      rows.find((r) => r.server === server && r.step === step && r.run === run)!.ms;
    return `${step.replace(/^FETCH 1:\* /, "")} ${
      (ms("course server") / ms("Dovecot")).toFixed(2)
    }`;
  }).join(", ");
const peak = (server: string) =>
  Math.max(...rows.filter((r) => r.server === server).map((r) => r.rssMiB));
await recordSummary(
  "fetch",
  "bench/imap/fetch_bench.ts",
  `- FETCH from ${COUNT} messages (${new Date().toISOString().slice(0, 10)}), ours / Dovecot ` +
    `time per step, warm: ${times("warm")}; cold: ${times("cold")}. Peak RSS: ours ` +
    `${peak("course server")} MiB, Dovecot's processes ${peak("Dovecot")} MiB.`,
);
