/**
 * Benchmark (not a test): messages per second and memory of SMTP servers under Postfix's
 * smtp-source load, side by side in one run. Every server has the message on disk before
 * it answers 250.
 *
 *   deno run -A bench/smtp/run.ts [--messages 4000] [--sessions 8] [--size 4096] [--rounds 3] [--record]
 *
 * `--record` writes the table into bench/README-smtp.md (between the markers for that
 * number of sessions), so the figures there always come from a run.
 *
 * Contenders, each in a process of its own, started afresh on an empty folder for every
 * round, rounds interleaved so that a slow moment of the disk hits everyone alike:
 *
 * 1. ours: lib/smtp over lib/maildir's JournaledMailStore, as in the lab
 *    (bench/smtp/serve_ours.ts): 250 once the message is in the group-committed journal,
 *    filed into Maildir once deliveries pause (or a message has waited a second);
 * 2. nodemailer's smtp-server 3.21.6 on Node, a durable Maildir delivery per message
 *    (installed with npm into a temp folder outside the repository at run time);
 * 3. Postfix (lib/postfix, a private instance): 250 once the queue file is fsynced; its
 *    virtual(8) agent then delivers to Maildir, and the time until the queue is empty is
 *    reported too;
 * 4. ours, store only: the same store without SMTP (bench/smtp/deliver_only.ts), timed
 *    until every message is in Maildir;
 * 5. without disk: ours with a store that discards, and Postfix's smtp-sink, the ceilings
 *    of the protocol code and of the load generator;
 * 6. ours, journal only: each message appended to the journal and synced before its 250,
 *    as ours does, then dropped instead of filed into Maildir (serve_ours.ts --journal-only):
 *    what filing, with its own writes to the same disk, costs the 250s. An experiment.
 *
 * See bench/README-smtp.md for results.
 *
 * @module
 */

import { startPostfix } from "../../lib/postfix/mod.ts";
import { freePort, processesWith, startDaemon } from "../../lib/daemon/mod.ts";
import { findTool } from "../../tests/tools.ts";
import { recordBetween } from "../record.ts";
import { peakResidentKiB } from "../processes.ts";

const arg = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
/** The usual load; a run of another length is recorded under markers of its own. */
const USUAL_MESSAGES = 4000;
const MESSAGES = arg("messages", USUAL_MESSAGES);
const SESSIONS = arg("sessions", 8);
const SIZE = arg("size", 4096);
const ROUNDS = arg("rounds", 3);
const HERE = new URL("./", import.meta.url).pathname;

const smtpSource = findTool("smtp-source");
if (!smtpSource) {
  throw new Error("Cannot run: smtp-source (Debian package postfix) is not installed");
}

/** smtp-source's run against `port`: milliseconds from first connect to last QUIT. */
async function load(port: number): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(smtpSource!, {
    args: [
      ...["-s", String(SESSIONS), "-m", String(MESSAGES), "-l", String(SIZE), "-d"],
      ...["-f", "al@pc.test", "-t", "bob@bench.test", `127.0.0.1:${port}`],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`smtp-source failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return performance.now() - start;
}

function countFiles(dir: string): number {
  try {
    return [...Deno.readDirSync(dir)].length;
  } catch {
    return 0;
  }
}

/** Peak resident memory (VmHWM) of a process, in MiB. */
async function peakMiB(pid: number): Promise<number> {
  return await peakResidentKiB(pid) / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/**
 * CPU time (user + system) used so far by the kernel's worker threads (`kworker/...`), in
 * seconds, machine-wide. Writing a file's pages out can run there instead of in the
 * process that asked: `syncfs` hands the writeback to the filesystem's flusher thread,
 * where `fdatasync` does it itself. The table adds what they used during a round, so
 * neither way of syncing hides part of its cost. Other people's work on a shared machine
 * lands there too: read it on a quiet machine.
 */
async function kernelWorkerSeconds(): Promise<number> {
  let ticks = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    if (!stat.includes("(kworker")) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/** The short name of a process (`/proc/<pid>/comm`). */
async function commandName(pid: number): Promise<string> {
  return (await Deno.readTextFile(`/proc/${pid}/comm`).catch(() => "")).trim();
}

/**
 * Sum of the peaks of every process that carries `marker` (see `processesWith`), leaving
 * out lib/daemon's Python supervisor, which carries it too.
 */
async function peakMiBOfAll(marker: string): Promise<number> {
  let total = 0;
  for (const pid of await processesWith(marker)) {
    if (await commandName(pid) !== "python3") total += await peakMiB(pid);
  }
  return total;
}

/** A server started for one round. */
interface Running {
  port: number;
  /** Messages in bob's new/ now. */
  stored(): number;
  /** Peak memory in MiB. */
  memory(): Promise<number>;
  /** CPU seconds used so far by the server, when it is one process we can read. */
  cpu?(): Promise<number>;
  /** For a queueing MTA: resolves when every message has been delivered. */
  drained?(): Promise<void>;
  stop(): Promise<void>;
}

interface Contender {
  name: string;
  /** Stores to disk before 250 (false: a ceiling, not a contender). */
  durable: boolean;
  start(dir: string): Promise<Running>;
  /** A contender that makes its own load instead of smtp-source's: milliseconds taken. */
  load?(dir: string): Promise<number>;
}

/** Start `command` and read "PORT <n>" from its stdout: it prints that once listening. */
async function spawnWithPort(command: string, args: string[]) {
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/PORT \d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${command} exited before listening`);
    text += value;
  }
  reader.releaseLock();
  const port = Number(/PORT (\d+)/.exec(text)![1]);
  return {
    port,
    memory: () => peakMiB(child.pid),
    cpu: () => cpuSeconds(child.pid),
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

/** nodemailer's smtp-server, storing each message durably into Maildir before its 250. */
const NODE_SERVER =
  `// nodemailer's smtp-server, storing each message as a durable Maildir delivery does, one
// message at a time: write to tmp/, fsync, rename into new/, fsync the folder, then 250.
// Usage: node server.mjs <maildir> (prints "PORT <n>" when listening)
import { SMTPServer } from "smtp-server";
import fs from "node:fs/promises";
import path from "node:path";

const root = process.argv[2];
for (const d of ["tmp", "new", "cur"]) await fs.mkdir(path.join(root, d), { recursive: true });
let n = 0;
const newDir = await fs.open(path.join(root, "new"), "r");

async function deliver(bytes) {
  const name = \`\${Date.now()}.N\${process.pid}_\${n++}.bench\`;
  const tmp = path.join(root, "tmp", name);
  const file = await fs.open(tmp, "w");
  await file.write(bytes);
  await file.datasync();
  await file.close();
  await fs.rename(tmp, path.join(root, "new", name));
  await newDir.datasync();
}

const server = new SMTPServer({
  disabledCommands: ["AUTH", "STARTTLS"],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => deliver(Buffer.concat(chunks)).then(() => callback(), callback));
  },
});
server.listen(0, "127.0.0.1", () => console.log(\`PORT \${server.server.address().port}\`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

const tmp = await Deno.makeTempDir({ prefix: "smtp-bench-" });
await Deno.chmod(tmp, 0o755); // Postfix delivers as nobody, who must reach its folder

async function installSmtpServer(): Promise<string | null> {
  const nodeDir = `${tmp}/node`;
  await Deno.mkdir(nodeDir);
  const npm = await new Deno.Command("npm", {
    args: ["install", "--silent", "--prefix", nodeDir, "smtp-server@3.21.6"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (npm.code !== 0) {
    console.error(
      "npm install smtp-server failed; skipping it:",
      new TextDecoder().decode(npm.stderr),
    );
    return null;
  }
  await Deno.writeTextFile(`${nodeDir}/server.mjs`, NODE_SERVER);
  return `${nodeDir}/server.mjs`;
}

const ours = (discard: boolean): Contender => ({
  name: discard ? "ours, discarding (no disk)" : "ours (Deno: lib/smtp + lib/maildir)",
  durable: !discard,
  async start(dir) {
    const args = ["run", "-A", `${HERE}serve_ours.ts`, dir, ...(discard ? ["--discard"] : [])];
    const child = await spawnWithPort(Deno.execPath(), args);
    const stored = () => countFiles(`${dir}/bob/new`);
    // Ours answers once the journal is synced and files into Maildir right after: the
    // time until the last message is in new/ is reported too, as for Postfix.
    const drained = async () => {
      const deadline = Date.now() + 120_000;
      while (stored() < MESSAGES && Date.now() < deadline) {
        await new Promise((wake) => setTimeout(wake, 2));
      }
    };
    return { ...child, stored, ...(discard ? {} : { drained }) };
  },
});

/**
 * The same Maildir deliveries without SMTP: SESSIONS workers in one process, each
 * delivering its share one message after another, as SESSIONS sessions would. What the
 * disk allows our store; no server can beat it with the same syncs.
 */
const maildirOnly: Contender = {
  name: "ours, store only (no SMTP)",
  durable: true,
  start: () => Promise.reject(new Error("makes its own load")),
  async load(dir) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${HERE}deliver_only.ts`,
        dir,
        String(MESSAGES),
        String(SESSIONS),
        String(SIZE),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error("deliver_only.ts failed");
    return Number(new TextDecoder().decode(out.stdout).trim());
  },
};

// Ours and smtp-server run next to each other in every round: their ratio within a round
// (reported below) compares them under the same moment's load.
const contenders: Contender[] = [ours(false)];
const nodeScript = await installSmtpServer();
if (nodeScript) {
  contenders.push({
    name: "nodemailer smtp-server 3.21.6 (Node)",
    durable: true,
    async start(dir) {
      const child = await spawnWithPort("node", [nodeScript, dir]);
      return { ...child, stored: () => countFiles(`${dir}/new`) };
    },
  });
}
const postfixOk = Deno.uid() === 0 && findTool("postconf");
if (postfixOk) {
  contenders.push({
    name: "Postfix (queue fsynced before 250)",
    durable: true,
    async start(dir) {
      const postfix = await startPostfix({
        mailRoot: dir,
        domains: ["bench.test"],
        users: ["bob"],
        hostname: "postfix.test",
      });
      return {
        port: postfix.port,
        stored: () => countFiles(`${dir}/bob/new`),
        memory: () => peakMiBOfAll(`MAIL_CONFIG=${postfix.dir}/conf`),
        drained: () => postfix.drained(120_000),
        stop: () => postfix.stop(),
      };
    },
  });
} else {
  console.error("Postfix needs root and postconf; skipping it");
}
contenders.push(maildirOnly, ours(true), {
  name: "ours, journal only (synced, then dropped)",
  durable: false,
  async start(dir) {
    const args = ["run", "-A", `${HERE}serve_ours.ts`, dir, "--journal-only"];
    return { ...await spawnWithPort(Deno.execPath(), args), stored: () => 0 };
  },
});
const sink = findTool("smtp-sink");
if (sink) {
  contenders.push({
    name: "smtp-sink (no disk; the load's ceiling)",
    durable: false,
    async start() {
      const port = freePort();
      const daemon = await startDaemon({
        name: "smtp-sink",
        argv: [sink, "-u", "nobody", `127.0.0.1:${port}`, "256"],
        port,
        readLog: () => Promise.resolve(""),
      });
      return {
        port,
        stored: () => 0,
        // smtp-sink itself, not its supervisor, which names the same address.
        memory: async () => {
          for (const pid of await processesWith(`127.0.0.1:${port}`)) {
            if (await commandName(pid) === "smtp-sink") return await peakMiB(pid);
          }
          return 0;
        },
        stop: () => daemon.stop(),
      };
    },
  });
}

/** One contender's rounds. */
interface Row {
  rates: number[];
  /** Postfix: messages per second until all were in Maildir. */
  endToEnd: number[];
  memory: number[];
  stored: number[];
  /** CPU microseconds per message of the server process. */
  cpu: number[];
  /** CPU microseconds per message of the kernel's worker threads meanwhile (machine-wide). */
  kernelCpu: number[];
  /** Ours: messages per journal sync (serve_ours.ts writes its count of syncs on exit). */
  perSync: number[];
}
const rows = new Map<string, Row>(
  contenders.map((c) => [c.name, {
    rates: [],
    endToEnd: [],
    memory: [],
    stored: [],
    cpu: [],
    kernelCpu: [],
    perSync: [],
  }]),
);

/**
 * What one sync costs on this disk now, median of `n` in a row (microseconds): a 4 KB
 * overwrite of a zero-filled file (the journal's sync), a new 4 KB file (the first sync of a
 * Maildir delivery), and a link plus the folder's sync (the second).
 */
async function probeDisk(n = 100): Promise<{ journal: number; newFile: number; folder: number }> {
  const dir = await Deno.makeTempDir({ dir: tmp, prefix: "probe-" });
  const block = new Uint8Array(4096).fill(120);
  const times = { journal: [] as number[], newFile: [] as number[], folder: [] as number[] };
  const time = async (into: number[], step: () => Promise<void>) => {
    const start = performance.now();
    await step();
    into.push((performance.now() - start) * 1000);
  };
  try {
    using journal = await Deno.open(`${dir}/journal`, { write: true, create: true });
    await journal.write(new Uint8Array(n * 4096));
    await journal.sync();
    using folder = await Deno.open(dir, { read: true });
    for (let i = 0; i < n; i++) {
      await time(times.journal, async () => {
        await journal.seek(i * 4096, Deno.SeekMode.Start);
        await journal.write(block);
        await journal.syncData();
      });
      await time(times.newFile, async () => {
        using file = await Deno.open(`${dir}/f${i}`, { write: true, createNew: true });
        await file.write(block);
        await file.syncData();
      });
      await time(times.folder, async () => {
        await Deno.link(`${dir}/f${i}`, `${dir}/g${i}`);
        await folder.sync();
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return {
    journal: median(times.journal),
    newFile: median(times.newFile),
    folder: median(times.folder),
  };
}

/** CPU time this process's threads have run so far, in microseconds (`schedstat`: ns, exact). */
function ownCpuMicros(): number {
  let ns = 0;
  for (const thread of Deno.readDirSync("/proc/self/task")) {
    try {
      const text = Deno.readTextFileSync(`/proc/self/task/${thread.name}/schedstat`);
      ns += Number(text.split(" ")[0]);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // the thread ended meanwhile
    }
  }
  return ns / 1000;
}

/**
 * The CPU one journal sync costs this process (all its threads, microseconds, mean of `n`):
 * awaited (`syncData`, run on Deno's thread pool, as the journal does) and blocking
 * (`syncDataSync`, on the calling thread). The difference is what handing a call to another
 * thread and back costs on this machine.
 */
async function probeThreadHop(n = 200): Promise<{ awaited: number; blocking: number }> {
  const dir = await Deno.makeTempDir({ dir: tmp, prefix: "hop-" });
  const block = new Uint8Array(4096).fill(120);
  try {
    using journal = Deno.openSync(`${dir}/journal`, { write: true, create: true });
    journal.writeSync(new Uint8Array(n * 4096));
    journal.syncSync();
    const measure = async (sync: () => Promise<void> | void) => {
      const start = ownCpuMicros();
      for (let i = 0; i < n; i++) {
        journal.seekSync(i * 4096, Deno.SeekMode.Start);
        journal.writeSync(block);
        await sync();
      }
      return (ownCpuMicros() - start) / n;
    };
    return {
      awaited: await measure(() => journal.syncData()),
      blocking: await measure(() => journal.syncDataSync()),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const threadHop = await probeThreadHop();
const diskAtStart = await probeDisk();
let diskAtEnd = diskAtStart;
const startedAt = new Date();
const loadAtStart = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const contender of contenders) {
      const dir = `${tmp}/r${round}-${contenders.indexOf(contender)}`;
      await Deno.mkdir(dir);
      if (contender.load) {
        const ms = await contender.load(dir);
        const row = rows.get(contender.name)!;
        row.rates.push(MESSAGES / ms * 1000);
        row.stored.push(countFiles(`${dir}/bob/new`));
        console.error(
          `round ${round}: ${contender.name}: ${(MESSAGES / ms * 1000).toFixed(0)} msg/s`,
        );
        continue;
      }
      const server = await contender.start(dir);
      try {
        const cpuBefore = await server.cpu?.();
        const kernelBefore = await kernelWorkerSeconds();
        const start = performance.now();
        const ms = await load(server.port);
        const row = rows.get(contender.name)!;
        row.rates.push(MESSAGES / ms * 1000);
        if (server.drained) {
          await server.drained();
          row.endToEnd.push(MESSAGES / (performance.now() - start) * 1000);
        }
        // After the drain: ours files into Maildir after its 250s, and that work counts.
        const cpuAfter = await server.cpu?.();
        if (cpuBefore !== undefined && cpuAfter !== undefined) {
          row.cpu.push((cpuAfter - cpuBefore) / MESSAGES * 1e6);
          row.kernelCpu.push((await kernelWorkerSeconds() - kernelBefore) / MESSAGES * 1e6);
        }
        row.memory.push(await server.memory());
        row.stored.push(server.stored());
        console.error(
          `round ${round}: ${contender.name}: ${(MESSAGES / ms * 1000).toFixed(0)} msg/s`,
        );
      } finally {
        await server.stop();
        const syncs = Number(await Deno.readTextFile(`${dir}/journal-syncs`).catch(() => NaN));
        if (syncs > 0) rows.get(contender.name)!.perSync.push(MESSAGES / syncs);
        // The round's folder stays until the run ends (the `tmp` folder goes then). Deleting
        // thousands of files between rounds made the next contender pay for them: ext4's
        // inode allocator skips inodes deleted moments ago (`recently_deleted()`), and with
        // thousands of them in the way each new file cost a long scan, most of a round's
        // CPU under perf.
      }
    }
  }
  diskAtEnd = await probeDisk();
} finally {
  await Deno.remove(tmp, { recursive: true });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
}
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const oursMedian = median(rows.get(contenders[0].name)!.rates);

const cpuModel = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1];
const loadAtEnd = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const lines: string[] = [];
lines.push(
  `**${SESSIONS} sessions**, ${
    fmt(MESSAGES)
  } messages of ${SIZE} bytes (smtp-source -d), ${ROUNDS} interleaved rounds, ` +
    `${
      startedAt.toISOString().slice(0, 16).replace("T", " ")
    } UTC; ${navigator.hardwareConcurrency} cores (${cpuModel}), ` +
    `Deno ${Deno.version.deno}; load average ${loadAtStart} at the start, ${loadAtEnd} at the end (the machine is shared). ` +
    `One sync on this disk (median of 100 in a row, at the start / at the end): a 4 KB write into the zero-filled journal ${
      fmt(diskAtStart.journal)
    } / ${fmt(diskAtEnd.journal)} µs; a new 4 KB file ${fmt(diskAtStart.newFile)} / ${
      fmt(diskAtEnd.newFile)
    } µs; a link and its folder ${fmt(diskAtStart.folder)} / ${fmt(diskAtEnd.folder)} µs. ` +
    `CPU of one journal sync (this process's threads, mean of 200): awaited through Deno's thread pool ${
      fmt(threadHop.awaited)
    } µs, blocking ${fmt(threadHop.blocking)} µs.`,
  "",
  "| server | msg/s (median) | spread (min to max) | rounds | CPU µs/msg (+ kernel workers) | peak RSS | stored | ours / this |",
  "| --- | --: | --: | --- | --: | --: | --: | --: |",
);
for (const contender of contenders) {
  const row = rows.get(contender.name)!;
  const rate = median(row.rates);
  const rounds = row.rates.map(fmt).join(", ");
  const endToEnd = row.endToEnd.length
    ? `; all in Maildir: ${fmt(median(row.endToEnd))} msg/s (${row.endToEnd.map(fmt).join(", ")})`
    : "";
  const perSync = row.perSync.length
    ? `; messages per journal sync: ${row.perSync.map((n) => n.toFixed(1)).join(", ")}`
    : "";
  const stored = contender.durable ? String(Math.min(...row.stored)) : "-";
  const cpu = row.cpu.length ? `${fmt(median(row.cpu))} (+${fmt(median(row.kernelCpu))})` : "-";
  const memory = row.memory.length ? `${median(row.memory).toFixed(0)} MiB` : "-";
  lines.push(
    `| ${contender.name} | ${fmt(rate)} | ${fmt(Math.min(...row.rates))} to ${
      fmt(Math.max(...row.rates))
    } | ${rounds}${endToEnd}${perSync} | ${cpu} | ${memory} | ${stored} | ${
      (oursMedian / rate).toFixed(2)
    } |`,
  );
}
const rateOf = (name: string) => {
  const row = [...rows].find(([key]) => key.startsWith(name))?.[1];
  return row?.rates.length ? median(row.rates) : NaN;
};
/** Ours / smtp-server per round: the two ran back to back, under about the same load. */
function pairedRatios(): number[] {
  const theirs = [...rows].find(([key]) => key.startsWith("nodemailer"))?.[1].rates ?? [];
  return theirs.map((rate, i) => rows.get(contenders[0].name)!.rates[i] / rate);
}
const vs = (name: string) => (oursMedian / rateOf(name)).toFixed(2);
lines.push(
  "",
  `Ours / smtp-server: ${vs("nodemailer")}; ours / Postfix: ${vs("Postfix")}; ` +
    `ours / our store alone (no SMTP): ${vs("ours, store only")}. ` +
    `Ours / smtp-server within each round (they run one after the other): ${
      pairedRatios().map((r) => r.toFixed(2)).join(", ")
    }; median ${median(pairedRatios()).toFixed(2)}. ` +
    `Our journal only, without filing into Maildir / smtp-server: ${
      (rateOf("ours, journal only") / rateOf("nodemailer")).toFixed(2)
    }.`,
);
/**
 * What one journal sync per message allows at most: each session's cycle is at least the
 * protocol's own (from a rate without disk: SESSIONS / rate) plus one sync of the disk (the
 * probe's journal write, mean of start and end). With smtp-sink's rate this holds for any
 * server under this load; with "ours, discarding" it holds for our protocol code.
 */
function ceiling(rateWithoutDisk: number): number {
  const syncSeconds = (diskAtStart.journal + diskAtEnd.journal) / 2 / 1e6;
  return SESSIONS / (SESSIONS / rateWithoutDisk + syncSeconds);
}
lines.push(
  "",
  `A session waits for at least one sync per message, so the rate is at most sessions / ` +
    `(one message's protocol time + one journal sync from the disk probe): ` +
    `${fmt(ceiling(rateOf("smtp-sink")))} msg/s for any server under this load (protocol time ` +
    `from smtp-sink's rate), ${fmt(ceiling(rateOf("ours, discarding")))} msg/s with our protocol ` +
    `code (from "ours, discarding"); twice smtp-server's median is ` +
    `${fmt(2 * rateOf("nodemailer"))} msg/s.`,
);
const table = lines.join("\n");
console.log(table);
if (Deno.args.includes("--record")) {
  // The usual load has its own markers per number of sessions; a longer one gets its own too.
  const key = MESSAGES === USUAL_MESSAGES
    ? `sessions=${SESSIONS}`
    : `sessions=${SESSIONS} messages=${MESSAGES}`;
  // The table this run replaces goes to the top of the earlier runs: on a shared machine one
  // run proves little, and the runs before it, each with its date and load, stay readable.
  const readme = new URL("../README-smtp.md", import.meta.url);
  const resultsBegin = `<!-- BEGIN results ${key} (written by bench/smtp/run.ts --record) -->`;
  const resultsEnd = `<!-- END results ${key} -->`;
  const earlierBegin = `<!-- BEGIN earlier ${key} (written by bench/smtp/run.ts --record) -->`;
  const earlierEnd = `<!-- END earlier ${key} -->`;
  const previous = between(await Deno.readTextFile(readme), resultsBegin, resultsEnd);
  const earlier = between(await Deno.readTextFile(readme), earlierBegin, earlierEnd);
  await recordBetween(
    readme,
    earlierBegin,
    earlierEnd,
    [previous, earlier].filter(Boolean).join("\n\n"),
  );
  await recordBetween(readme, resultsBegin, resultsEnd, table);
  await recordBetween(
    new URL("../../README.md", import.meta.url),
    `<!-- BEGIN smtp summary ${key} (written by bench/smtp/run.ts --record) -->`,
    `<!-- END smtp summary ${key} -->`,
    `- ${SESSIONS} sessions${
      MESSAGES === USUAL_MESSAGES ? "" : `, ${fmt(MESSAGES)} messages`
    }, medians of ${ROUNDS} rounds (${startedAt.toISOString().slice(0, 10)}, load average ${
      loadAtStart.split(" ")[0]
    } at the start): ours ${fmt(oursMedian)} msg/s, ${vs("nodemailer")} × smtp-server (${
      fmt(rateOf("nodemailer"))
    }; ${median(pairedRatios()).toFixed(2)} × as the median of the rounds' ratios), ${
      vs("Postfix")
    } × Postfix (${fmt(rateOf("Postfix"))}); our store alone without SMTP ${
      fmt(rateOf("ours, store only"))
    }.`,
  );
  console.error(`Recorded in bench/README-smtp.md and README.md`);
}

/** What stands between two marker lines of a text, trimmed. */
function between(doc: string, begin: string, end: string): string {
  const at = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (at < 0 || stop < at) throw new Error(`Cannot record: the document lacks ${begin}`);
  return doc.slice(at + begin.length, stop).trim();
}
