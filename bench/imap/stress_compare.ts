/**
 * Dovecot's imaptest in stress mode against a private Dovecot (lib/dovecot) and against
 * our server (bench/imap/serve.ts, its own process), one after the other in the same run,
 * each on a fresh Maildir (ours twice: with the lab's V8 flags, lib/lab/v8_flags.ts, and
 * with V8's defaults, which shows what the flags cost): 10 clients doing imaptest's default mix (LOGIN, SELECT, FETCH,
 * STORE, EXPUNGE, APPEND, LIST, STATUS, LOGOUT ...) for a number of seconds, once with
 * persistent sessions (`logout=0`) and once logging in and out every time (`logout=100`).
 * imaptest tracks every mailbox's state from the server's answers and reports any
 * response that contradicts it: those are protocol bugs, counted here.
 *
 * For each run it records commands per second and the mean latency per command type
 * (from imaptest's `output=` file), the server's CPU time (from /proc: our Deno process;
 * Dovecot's master and every process under it, including those that exited) and its peak
 * resident memory (sampled every 100 ms). The table goes into bench/README-imap.md
 * between the `stress:begin` and `stress:end` markers.
 *
 *   deno run -A bench/imap/stress_compare.ts [seconds=20] [clients=10]
 *
 * imaptest is built by ../shared/peer/imaptest/imaptest-build.sh, never kept here.
 *
 * @module
 */

import { startOurServer } from "./our_server.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { LAB_V8_FLAGS } from "../../lib/lab/mod.ts";
import { buildImaptest } from "../../tests/imaptest.ts";
import { processOf, processTree } from "../processes.ts";
import { recordSummary } from "./summary.ts";
import { recordBlock } from "../record.ts";

const seconds = Number(Deno.args[0] ?? 20);
const clients = Number(Deno.args[1] ?? 10);
const USER = "stress";
const PASSWORD = "pw";
const README = new URL("../README-imap.md", import.meta.url);
const MiB = 1024 * 1024;

/** An mbox of `count` messages with unique Message-IDs, for imaptest's APPENDs. */
function mbox(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = Array.from(
      { length: 20 + (i % 40) },
      (_, n) => `Line ${n} of message ${i}: the quick brown fox jumps over the lazy dog.`,
    );
    out.push(
      `From sender${i % 7}@example.org Mon Jan  1 10:00:00 2024`,
      `From: Sender ${i % 7} <sender${i % 7}@example.org>`,
      `To: ${USER}@example.org`,
      `Subject: Stress message ${i}`,
      `Message-ID: <stress-${i}@example.org>`,
      `Date: Mon, 1 Jan 2024 10:${String(i % 60).padStart(2, "0")}:00 +0000`,
      "",
      ...body,
      "",
    );
  }
  return out.join("\n");
}

/** One command type's totals over a run. */
interface CommandStats {
  count: number;
  /** Mean ms per timed command. */
  msecs: number | null;
}

interface RunResult {
  commands: Map<string, CommandStats>;
  cpuSeconds: number;
  peakRssMiB: number;
  errors: string[];
  seconds: number;
}

/** Parse imaptest's `output=` file: a header of "<state> count / msecs", one line a second. */
function parseOutput(text: string): Map<string, CommandStats> {
  const [header, ...rows] = text.trim().split("\n");
  const columns = header.split("\t");
  const totals = new Map<string, { count: number; timed: number; ms: number }>();
  for (const row of rows) {
    const values = row.split("\t").map(Number);
    for (let i = 0; i + 1 < columns.length; i += 2) {
      const name = columns[i].replace(/ count$/, "");
      // each state has three numbers: count, timed commands, their total msecs
      const k = (i / 2) * 3;
      const t = totals.get(name) ?? { count: 0, timed: 0, ms: 0 };
      t.count += values[k] ?? 0;
      t.timed += values[k + 1] ?? 0;
      t.ms += values[k + 2] ?? 0;
      totals.set(name, t);
    }
  }
  return new Map(
    [...totals].map(([name, t]) => [name, {
      count: t.count,
      msecs: t.timed ? t.ms / t.timed : null,
    }]),
  );
}

async function stress(
  binary: string,
  mboxPath: string,
  port: number,
  serverPid: number,
  logout: number,
): Promise<RunResult> {
  const output = await Deno.makeTempFile({ prefix: "imaptest-stress-" });
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await processTree(serverPid)).rss);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const before = await processTree(serverPid);
  const started = performance.now();
  const run = await new Deno.Command(binary, {
    args: [
      "host=127.0.0.1",
      `port=${port}`,
      `user=${USER}`,
      `pass=${PASSWORD}`,
      `mbox=${mboxPath}`,
      `clients=${clients}`,
      `secs=${seconds}`,
      `logout=${logout}`,
      `output=${output}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = (performance.now() - started) / 1000;
  const after = await processTree(serverPid);
  sampling = false;
  await sampler;
  const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  const errors = text.split("\n").filter((l) => /error|panic|fatal/i.test(l));
  const commands = parseOutput(await Deno.readTextFile(output));
  await Deno.remove(output);
  return {
    commands,
    cpuSeconds: after.cpu - before.cpu,
    peakRssMiB: peak / MiB,
    errors,
    seconds: elapsed,
  };
}

async function withDovecot<T>(fn: (port: number, pid: number) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "stress-dovecot-" });
  try {
    await using dovecot = await startDovecot({
      protocol: "imap",
      mailRoot: root,
      users: new Map([[USER, PASSWORD]]),
    });
    return await fn(dovecot.port, await processOf(`${dovecot.dir}/dovecot.conf`));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * Our server as the lab runs it (`LAB_V8_FLAGS`), or with `v8Flags: ""` as V8's
 * defaults leave it: the flags' cost under load is the difference.
 */
async function withOurs<T>(
  fn: (port: number, pid: number) => Promise<T>,
  v8Flags = LAB_V8_FLAGS,
): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "stress-ours-" });
  await Deno.mkdir(`${root}/${USER}`);
  const { process: server, port, stop: stopServer } = await startOurServer({
    root,
    user: USER,
    password: PASSWORD,
    v8Flags: v8Flags ? [v8Flags] : [],
  });
  try {
    return await fn(port, server.pid);
  } finally {
    await stopServer();
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * What one flush to disk costs here, on the file system the Maildirs live on: both
 * servers wait for such flushes (ours several per change, see README), so the run's
 * rates depend on it as much as on CPU.
 */
async function flushCosts(): Promise<{ fdatasync: number; dirSync: number }> {
  const dir = await Deno.makeTempDir({ prefix: "stress-fsync-" });
  try {
    using file = await Deno.open(`${dir}/probe`, { write: true, create: true });
    using folder = await Deno.open(dir, { read: true });
    const rounds = 50;
    let started = performance.now();
    for (let i = 0; i < rounds; i++) {
      await file.write(new Uint8Array(4096));
      await file.syncData();
    }
    const fdatasync = (performance.now() - started) / rounds;
    started = performance.now();
    for (let i = 0; i < rounds; i++) await folder.sync();
    return { fdatasync, dirSync: (performance.now() - started) / rounds };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const flush = await flushCosts();
const binary = await buildImaptest();
const mboxPath = await Deno.makeTempFile({ prefix: "stress-", suffix: ".mbox" });
await Deno.writeTextFile(mboxPath, mbox(500));
const variants = [
  { name: "persistent sessions (logout=0)", logout: 0 },
  { name: "log in and out (logout=100)", logout: 100 },
];
const results: { variant: string; server: string; result: RunResult }[] = [];
try {
  for (const variant of variants) {
    const servers = [
      ["Dovecot", withDovecot],
      ["course server", withOurs],
      [
        "course server, V8 defaults",
        <T>(fn: (port: number, pid: number) => Promise<T>) => withOurs(fn, ""),
      ],
    ] as const;
    for (const [server, start] of servers) {
      const result = await start((port, pid) =>
        stress(binary, mboxPath, port, pid, variant.logout)
      );
      results.push({ variant: variant.name, server, result });
      console.log(
        variant.name,
        server,
        result.cpuSeconds.toFixed(1),
        "s CPU",
        result.errors.length,
        "errors",
      );
    }
  }
} finally {
  await Deno.remove(mboxPath);
}

const version = new TextDecoder().decode(
  (await new Deno.Command("dovecot", { args: ["--version"], stdout: "piped" }).output()).stdout,
).trim();
const cpus = (await Deno.readTextFile("/proc/cpuinfo")).match(/^processor/gm)?.length ?? 0;
const lines = [
  "<!-- stress:begin (written by bench/imap/stress_compare.ts) -->",
  "",
  `Run on ${
    new Date().toISOString().slice(0, 10)
  } (Deno ${Deno.version.deno}, Dovecot ${version}, ` +
  `imaptest 924f619, ${cpus} cores shared with imaptest): ${clients} clients, ${seconds} s per run. ` +
  `On this disk an fdatasync of 4 KiB took ${flush.fdatasync.toFixed(1)} ms and a directory ` +
  `fsync ${flush.dirSync.toFixed(1)} ms (mean of 50, before the runs).`,
  "",
];
for (const variant of variants) {
  const rows = results.filter((r) => r.variant === variant.name);
  const names = [...new Set(rows.flatMap((r) => [...r.result.commands.keys()]))].filter((n) =>
    rows.some((r) => (r.result.commands.get(n)?.count ?? 0) > 0)
  );
  lines.push(`**${variant.name}**: commands per second (mean ms per command)`, "");
  lines.push(`| command | ${rows.map((r) => r.server).join(" | ")} |`);
  lines.push(`| ------- | ${rows.map(() => "---:").join(" | ")} |`);
  for (const name of names) {
    lines.push(`| ${name} | ${
      rows.map((r) => {
        const c = r.result.commands.get(name);
        if (!c) return "-";
        const rate = (c.count / r.result.seconds).toFixed(1);
        return c.msecs === null ? rate : `${rate} (${c.msecs.toFixed(1)} ms)`;
      }).join(" | ")
    } |`);
  }
  lines.push(
    `| server CPU | ${
      rows.map((r) => `${(r.result.cpuSeconds / r.result.seconds * 100).toFixed(0)} % of a core`)
        .join(" | ")
    } |`,
    `| server peak RSS | ${rows.map((r) => `${r.result.peakRssMiB.toFixed(0)} MiB`).join(" | ")} |`,
    `| errors imaptest reported | ${rows.map((r) => String(r.result.errors.length)).join(" | ")} |`,
    "",
  );
  for (const r of rows) {
    if (r.result.errors.length) {
      lines.push(
        `First errors on ${r.server}:`,
        "",
        "```",
        ...r.result.errors.slice(0, 5),
        "```",
        "",
      );
    }
  }
}
lines.push("<!-- stress:end -->");
const block = lines.join("\n");
await recordBlock(README, "stress", block);
console.log(block);

/** Commands per second and mean ms of one command type, persistent sessions. */
function persistent(server: string, name: string): { rate: number; ms: number } {
  const { result } = results.find((r) => r.variant === variants[0].name && r.server === server)!;
  const command = result.commands.get(name);
  return { rate: (command?.count ?? 0) / result.seconds, ms: command?.msecs ?? 0 };
}
const pair = (name: string) =>
  `${name} ${persistent("course server", name).rate.toFixed(0)} / ${
    persistent("Dovecot", name).rate.toFixed(0)
  }`;
await recordSummary(
  "stress",
  "bench/imap/stress_compare.ts",
  `- imaptest's stress load, ${clients} clients on one folder, persistent sessions (${
    new Date().toISOString().slice(0, 10)
  }), commands per second ours / Dovecot: ${
    ["FETCH", "STORE", "EXPUNGE", "COPY", "STATUS"].map(pair).join(", ")
  }; mean ms per STORE ${persistent("course server", "STORE").ms.toFixed(1)} / ${
    persistent("Dovecot", "STORE").ms.toFixed(1)
  }.`,
);
