/**
 * Download whole mailboxes through POP3: our server and Dovecot's, side by side in the
 * same run, on the same Maildir.
 *
 *   deno run -A bench/pop3/bench.ts [--messages 5000] [--size 4096] [--rounds 3] [--sessions 1] [--threads <cores>] [--record]
 *
 * `sessions` users each own `messages / sessions` messages; each round, for each server
 * (interleaved: ours, Dovecot, ours...), every user downloads their whole mailbox at
 * once: log in, RETR every message, QUIT without deleting. Twice per server and round:
 * with our `Pop3Client` (in this process) and with Python's `poplib` (one process per
 * session, a client that is not ours; the processes are started before the clock, so
 * Python's start-up is not timed). A first round is an untimed warm-up (Dovecot
 * builds its index there). Our server serves on `threads` threads (lib/pop3/threads.ts),
 * one per core unless told; `--threads 1` runs it on one thread with `servePop3`.
 *
 * Reported: median wall time, messages per second with the spread over the rounds, the
 * CPU per message of our server's process and of all Dovecot's processes, the login time
 * with poplib, how long our server's threads waited for a core, and peak memory: our server
 * runs in a process of its own (bench/pop3/serve_ours.ts), Dovecot's pop3 processes are
 * sampled while they run. `--record` writes the table into bench/README-pop3.md, between the markers for
 * that number of sessions.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { Pop3Client } from "../../lib/pop3/mod.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { recordBetween } from "../record.ts";
import {
  eventLoopWaits,
  largestPeakKiB,
  peakResidentKiB,
  processOf,
  processTree,
  waitedBetween,
} from "../processes.ts";

const arg = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const COUNT = arg("messages", 5000);
const SIZE = arg("size", 4096);
const ROUNDS = arg("rounds", 3);
const SESSIONS = arg("sessions", 1);
const THREADS = arg("threads", navigator.hardwareConcurrency);
const HERE = new URL("./", import.meta.url).pathname;

const users = new Map(Array.from({ length: SESSIONS }, (_, i) => [`bench${i}`, "pw"]));
const root = await Deno.makeTempDir({ prefix: "pop3-bench-" });
const store = new MailStore(root);

function message(i: number): Uint8Array {
  const header = `From: a@example.org\r\nTo: bench@localhost\r\nSubject: message ${i}\r\n\r\n`;
  const line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n";
  let body = "";
  while (header.length + body.length + line.length <= SIZE) body += line;
  return new TextEncoder().encode(header + body + ".dot-stuffed line\r\n");
}

const t = performance.now();
for (const user of users.keys()) {
  const box = await store.mailbox(user);
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < COUNT / SESSIONS; i += 8) await box.deliver(message(i));
  }));
}
console.error(`delivered ${COUNT} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);

/**
 * One user's download, made ready: `go` starts it (connect, log in, RETR every message,
 * QUIT) and resolves with the octets received.
 */
interface Download {
  go(): Promise<number>;
}

/** A client: prepares one user's download from a server's port. */
type Client = (port: number, user: string) => Promise<Download>;

/** Our client, in this process: nothing to prepare. */
const withOurClient: Client = (port, user) =>
  Promise.resolve({
    async go() {
      await using client = await Pop3Client.connect(port, { timeoutMs: 60_000 });
      await client.login(user, "pw");
      const { count: n } = await client.stat();
      let bytes = 0;
      for (let i = 1; i <= n; i++) bytes += (await client.retr(i)).length;
      await client.quit();
      return bytes;
    },
  });

/** A poplib session: says "ready" once Python has started, connects on a line on stdin. */
const POPLIB = `
import poplib, sys, time
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=60)
p.user(sys.argv[2]); p.pass_("pw")
login_ms = (time.perf_counter() - started) * 1000
n = p.stat()[0]
total = 0
for i in range(1, n + 1):
    total += sum(len(l) + 2 for l in p.retr(i)[1])
p.quit()
print(total, login_ms)
`;

/** Milliseconds from connect to the answer to PASS, per poplib session, by server port. */
const poplibLogins = new Map<number, number[]>();

/**
 * A poplib session in a Python process of its own, started before the clock starts: the
 * interpreter's start-up (tens of milliseconds of CPU per process) is the client's, not
 * part of the download, and with 32 sessions it would take a large share of the two cores
 * in the timed window.
 */
const withPoplib: Client = async (port, user) => {
  const child = new Deno.Command("python3", {
    args: ["-c", POPLIB, String(port), user],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  const readUntil = async (done: (text: string) => boolean) => {
    while (!done(printed)) {
      const chunk = await stdout.read();
      if (chunk.done) throw new Error(`poplib session ended: ${await stderr}`);
      printed += chunk.value;
    }
  };
  await readUntil((text) => text.includes("ready\n"));
  return {
    async go() {
      const stdin = child.stdin.getWriter();
      await stdin.write(new TextEncoder().encode("go\n"));
      await stdin.close();
      await readUntil((text) => /ready\n\d+ [\d.]+\n/.test(text));
      if (!(await child.status).success) throw new Error(await stderr);
      await stderr;
      stdout.releaseLock();
      const [total, loginMs] = printed.split("\n")[1].split(" ").map(Number);
      if (timedRound) poplibLogins.set(port, [...poplibLogins.get(port) ?? [], loginMs]);
      return total;
    },
  };
};

/**
 * Every user's download at once; milliseconds from the first connect to the last QUIT.
 * The clients are made ready first, and the clock starts when they are told to go.
 */
async function downloadAll(port: number, client: Client): Promise<{ ms: number; bytes: number }> {
  const ready = await Promise.all([...users.keys()].map((user) => client(port, user)));
  const started = performance.now();
  const bytes = await Promise.all(ready.map((download) => download.go()));
  return { ms: performance.now() - started, bytes: bytes.reduce((a, b) => a + b, 0) };
}

// Our server, in its own process.
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--unstable-net", // several threads share the port (SO_REUSEPORT)
    `${HERE}serve_ours.ts`,
    String(THREADS),
    root,
    ...[...users.keys()].map((u) => `${u}:pw`),
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const childOut = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let printed = "";
while (!/PORT \d+/.test(printed)) {
  const { value, done } = await childOut.read();
  if (done) throw new Error("serve_ours.ts exited before listening");
  printed += value;
}
const oursPort = Number(/PORT (\d+)/.exec(printed)![1]);
await using dovecot = await startDovecot({ protocol: "pop3", mailRoot: root, users });
const dovecotMaster = await processOf(`${dovecot.dir}/dovecot.conf`);
/** CPU seconds of Dovecot's processes so far, those that ended included (bench/processes.ts). */
const dovecotCpuSeconds = async () => (await processTree(dovecotMaster)).cpu;
const oursCpuSeconds = async () => (await processTree(child.pid)).cpu;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rates: Record<string, number[]> = {};
const times: Record<string, number[]> = {};
const oursCpu: number[] = [];
const dovecotCpu: number[] = [];
/** False during the warm-up round, whose logins are not counted. */
let timedRound = false;
/** Share of each poplib download's time our event loop spent ready but without a core. */
const oursWaited: number[] = [];
let dovecotPeakKiB = 0;
let oursPeakKiB = 0;
const sampler = setInterval(async () => {
  dovecotPeakKiB = Math.max(dovecotPeakKiB, await largestPeakKiB("pop3"));
}, 50);
let bytes = 0;
const startedAt = new Date();
const loadAtStart = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
try {
  for (let round = 0; round <= ROUNDS; round++) {
    timedRound = round > 0;
    for (const [name, port] of [["ours", oursPort], ["Dovecot", dovecot.port]] as const) {
      for (
        const [clientName, client] of [["our client", withOurClient], [
          "poplib",
          withPoplib,
        ]] as const
      ) {
        const serverCpu = name === "ours" ? oursCpuSeconds : dovecotCpuSeconds;
        const cpuBefore = await serverCpu();
        const waitedBefore = await eventLoopWaits(child.pid);
        const run = await downloadAll(port, client);
        const cpuAfter = await serverCpu();
        const waited = waitedBetween(waitedBefore, await eventLoopWaits(child.pid));
        bytes = run.bytes;
        if (round === 0) continue; // warm-up
        const key = `${name} / ${clientName}`;
        (rates[key] ??= []).push(COUNT / run.ms * 1000);
        (times[key] ??= []).push(run.ms);
        if (name === "Dovecot") dovecotCpu.push((cpuAfter - cpuBefore) / COUNT * 1e6);
        if (name === "ours") {
          oursCpu.push((cpuAfter - cpuBefore) / COUNT * 1e6);
          if (clientName === "poplib") oursWaited.push(waited / (run.ms / 1000));
        }
        console.error(`round ${round}: ${key}: ${(COUNT / run.ms * 1000).toFixed(0)} msg/s`);
      }
    }
  }
} finally {
  clearInterval(sampler);
  oursPeakKiB = await peakResidentKiB(child.pid);
  child.kill("SIGTERM");
  await child.status;
  await childOut.cancel();
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mb = bytes / 1e6;
const cpuModel = /model name\s*:\s*(.*)/.exec(await Deno.readTextFile("/proc/cpuinfo"))?.[1];
const loadAtEnd = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const lines = [
  `**${SESSIONS} session${SESSIONS > 1 ? "s" : ""}**: ${fmt(COUNT)} messages of about ${SIZE} B (${
    mb.toFixed(1)
  } MB on the wire), ${ROUNDS} rounds after a warm-up, ${
    startedAt.toISOString().slice(0, 16).replace("T", " ")
  } UTC; ${navigator.hardwareConcurrency} cores (${cpuModel}), Deno ${Deno.version.deno}; ` +
  `our server on ${THREADS} thread${THREADS > 1 ? "s" : ""}; ` +
  `load average ${loadAtStart} at the start, ${loadAtEnd} at the end (the machine is shared).`,
  "",
  "| server / client | seconds (median) | messages/s (median) | spread (min to max) | MB/s |",
  "| --- | --: | --: | --: | --: |",
];
for (const key of Object.keys(rates)) {
  const s = median(times[key]) / 1000;
  lines.push(
    `| ${key} | ${s.toFixed(2)} | ${fmt(median(rates[key]))} | ${fmt(Math.min(...rates[key]))} to ${
      fmt(Math.max(...rates[key]))
    } | ${(mb / s).toFixed(1)} |`,
  );
}
const ratio = (client: string) =>
  (median(rates[`ours / ${client}`]) / median(rates[`Dovecot / ${client}`])).toFixed(2);
lines.push(
  "",
  `Ours / Dovecot: ${ratio("poplib")} with poplib, ${ratio("our client")} with our client. ` +
    `CPU per message (median over rounds and clients): our server ${fmt(median(oursCpu))} µs, ` +
    `Dovecot's processes ${fmt(median(dovecotCpu))} µs. ` +
    `With poplib, our server's ${
      THREADS === 1 ? "one thread was" : `${THREADS} threads were, summed,`
    } ready to run but waiting for a core ${
      (median(oursWaited) * 100).toFixed(0)
    } % of the download's time (median; Linux's schedstat). ` +
    `Login with poplib (connect to the answer to PASS, median): ours ${
      median(poplibLogins.get(oursPort)!).toFixed(1)
    } ms, Dovecot ${median(poplibLogins.get(dovecot.port)!).toFixed(1)} ms. ` +
    `Peak resident memory: our server process ${(oursPeakKiB / 1024).toFixed(0)} MiB, ` +
    `Dovecot's largest pop3 process ${(dovecotPeakKiB / 1024).toFixed(0)} MiB.`,
);
const table = lines.join("\n");
console.log(table);
if (Deno.args.includes("--record")) {
  await recordBetween(
    new URL("../README-pop3.md", import.meta.url),
    `<!-- BEGIN results sessions=${SESSIONS} (written by bench/pop3/bench.ts --record) -->`,
    `<!-- END results sessions=${SESSIONS} -->`,
    table,
  );
  const summary = `- ${SESSIONS} session${SESSIONS > 1 ? "s" : ""}, ${fmt(COUNT)} messages (${
    startedAt.toISOString().slice(0, 10)
  }), our server on ${THREADS} thread${THREADS > 1 ? "s" : ""}: ours / Dovecot ${
    ratio("poplib")
  } with poplib, ${ratio("our client")} with our client; CPU per message: our server ${
    fmt(median(oursCpu))
  } µs, Dovecot's processes ${fmt(median(dovecotCpu))} µs; peak ${
    (oursPeakKiB / 1024).toFixed(0)
  } MiB (Dovecot's pop3 process ${(dovecotPeakKiB / 1024).toFixed(0)} MiB).`;
  await recordBetween(
    new URL("../../README.md", import.meta.url),
    `<!-- BEGIN pop3 summary sessions=${SESSIONS} (written by bench/pop3/bench.ts --record) -->`,
    `<!-- END pop3 summary sessions=${SESSIONS} -->`,
    summary,
  );
  console.error("Recorded in bench/README-pop3.md and README.md");
}
await dovecot.stop();
await Deno.remove(root, { recursive: true });
