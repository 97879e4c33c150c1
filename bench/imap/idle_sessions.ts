/**
 * A classroom of idle IMAP sessions: N clients LOGIN, SELECT INBOX and IDLE on our server
 * (its own process, bench/imap/serve.ts, with a connection cap of N); we read the
 * server's resident memory (after a garbage collection) and CPU time from /proc while they all wait, deliver one
 * message into the Maildir from outside (as the lab's SMTP server would) and time until
 * every session has its `* n EXISTS`, check that client N+1 gets a BYE, and read the memory
 * again once everyone has left. It does it all twice: with the lab's V8 flags
 * (lib/lab/v8_flags.ts, as `deno task lab` runs the server) and with V8's defaults. The
 * results go into bench/README-imap.md between the `idle:begin` and `idle:end` markers.
 *
 *   deno run -A bench/imap/idle_sessions.ts [sessions=1000] [idle seconds=10]
 *
 * @module
 */

import { startOurServer } from "./our_server.ts";
import { connectLoopback, LineReader, writeAll } from "../../lib/net/mod.ts";
import { LAB_V8_FLAGS } from "../../lib/lab/mod.ts";
import { Maildir, MailStore } from "../../lib/maildir/mod.ts";
import { recordSummary } from "./summary.ts";
import { recordBlock } from "../record.ts";

const sessions = Number(Deno.args[0] ?? 1000);
const idleSeconds = Number(Deno.args[1] ?? 10);
const README = new URL("../README-imap.md", import.meta.url);
const encoder = new TextEncoder();
const MiB = 1024 * 1024;

/** User plus system CPU time of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

type Client = { conn: Deno.TcpConn; reader: LineReader };

/** One session: LOGIN, SELECT INBOX, IDLE. */
async function idleClient(port: number): Promise<Client> {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 120_000, maxLineLength: 65536 });
  await reader.readLine(); // greeting
  await writeAll(conn, encoder.encode("a LOGIN alice pw\r\nb SELECT INBOX\r\nc IDLE\r\n"));
  while ((await reader.readLine())?.text !== "+ idling");
  return { conn, reader };
}

/** The whole measurement on a fresh Maildir, our server started with `v8Flags`. */
async function measure(v8Flags: string): Promise<Record<string, string>> {
  const root = await Deno.makeTempDir({ prefix: "imap-idle-" });
  const box = await new MailStore(root).mailbox("alice");
  for (let i = 0; i < 20; i++) {
    await box.deliver(encoder.encode(`Subject: message ${i}\r\n\r\nhello\r\n`));
  }
  const { process: server, port, stop: stopServer } = await startOurServer({
    root,
    user: "alice",
    password: "pw",
    maxConnections: sessions,
    v8Flags: ["--expose-gc", ...(v8Flags ? [v8Flags] : [])],
    stderr: "piped",
  });
  const pid = server.pid;
  const memoryReports = server.stderr.pipeThrough(new TextDecoderStream()).getReader();

  /**
   * Ask the server to collect garbage; returns its memory use (MiB) after an ordinary full
   * collection, and after a last-resort one that also gives back the young generation.
   */
  async function collectGarbage(): Promise<Memory & { reduced: Memory }> {
    Deno.kill(pid, "SIGUSR2");
    let text = "";
    while (!text.includes("\n")) text += (await memoryReports.read()).value ?? "";
    const usage = JSON.parse(text.split("\n")[0]);
    const mib = (u: Record<string, number>): Memory => ({
      rss: u.rss / MiB,
      heapUsed: u.heapUsed / MiB,
      heapTotal: u.heapTotal / MiB,
      external: u.external / MiB,
    });
    return { ...mib(usage), reduced: mib(usage.reduced) };
  }

  const clients: Client[] = [];
  try {
    const before = (await collectGarbage()).reduced.rss;
    const started = performance.now();
    for (let i = 0; i < sessions; i += 50) {
      clients.push(
        ...await Promise.all(
          Array.from({ length: Math.min(50, sessions - i) }, () => idleClient(port)),
        ),
      );
    }
    const connectMs = performance.now() - started;
    const idle = await collectGarbage(); // what the sessions hold, not the garbage of logging in
    const idleRss = idle.reduced.rss;
    const cpu0 = await cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpu = (await cpuSeconds(pid)) - cpu0;

    // Client N+1: over the cap, it gets BYE instead of a greeting.
    const extra = await connectLoopback(port);
    const extraReader = new LineReader(extra, { idleTimeoutMs: 10_000 });
    const bye = (await extraReader.readLine())?.text ?? "(closed without a word)";
    extra.close();

    // One delivery by another program: how long until every session is told.
    const other = await Maildir.open(`${root}/alice`);
    const delivered = performance.now();
    await other.deliver(encoder.encode("Subject: for everyone\r\n\r\nhi\r\n"));
    await Promise.all(clients.map(async ({ reader }) => {
      while (!(await reader.readLine())?.text.endsWith(" EXISTS"));
    }));
    const pushMs = performance.now() - delivered;

    for (const { conn } of clients) conn.close();
    clients.length = 0;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await collectGarbage();
    const afterRss = after.reduced.rss;
    rssRightAfter.push(idle.rss);
    return {
      sessions: String(sessions),
      "connect, LOGIN, SELECT, IDLE (all)": `${(connectMs / 1000).toFixed(1)} s`,
      "server RSS before": `${before.toFixed(0)} MiB`,
      "server RSS, all idle, right after logging in": `${idle.rss.toFixed(0)} MiB (V8 heap ${
        idle.heapTotal.toFixed(0)
      } MiB, of which ${idle.heapUsed.toFixed(0)} MiB live)`,
      "server RSS, all idle, young generation given back": `${idleRss.toFixed(0)} MiB (V8 heap ${
        idle.reduced.heapTotal.toFixed(0)
      } MiB)`,
      "per idle session": `${((idleRss - before) * 1024 / sessions).toFixed(1)} KiB`,
      "of which JavaScript heap": `${
        ((idle.reduced.heapUsed - (after.reduced.heapUsed)) * 1024 / sessions).toFixed(1)
      } KiB`,
      "of which line buffers (external)": `${
        ((idle.reduced.external - after.reduced.external) * 1024 / sessions).toFixed(1)
      } KiB`,
      [`server CPU while idle (${idleSeconds} s)`]: `${
        (idleCpu / idleSeconds * 100).toFixed(1)
      } % of a core`,
      "delivery to the last session's EXISTS": `${pushMs.toFixed(0)} ms`,
      [`client ${sessions + 1}`]: `\`${bye}\``,
      "server RSS after all left": `${afterRss.toFixed(0)} MiB`,
      "JavaScript heap, all idle / after all left": `${idle.reduced.heapUsed.toFixed(1)} / ${
        after.reduced.heapUsed.toFixed(1)
      } MiB`,
    };
  } finally {
    for (const { conn } of clients) conn.close();
    await stopServer();
    await Deno.remove(root, { recursive: true });
  }
}

/** RSS (MiB) right after logging in, one per call of measure(), for the README's summary. */
const rssRightAfter: number[] = [];

// As the lab runs it (lib/lab/v8_flags.ts), then with V8's defaults: what the flags change.
const withFlags = await measure(LAB_V8_FLAGS);
const withDefaults = await measure("");

const cpus = (await Deno.readTextFile("/proc/cpuinfo")).match(/^processor/gm)?.length ?? 0;
const block = [
  "<!-- idle:begin (written by bench/imap/idle_sessions.ts) -->",
  "",
  `Run on ${new Date().toISOString().slice(0, 10)} (Deno ${Deno.version.deno}, ${cpus} cores):`,
  "",
  `| measure | lab flags (\`${LAB_V8_FLAGS}\`) | V8 defaults |`,
  "| ------- | ----- | ----- |",
  ...Object.entries(withFlags).map(([k, v]) => `| ${k} | ${v} | ${withDefaults[k]} |`),
  "",
  "<!-- idle:end -->",
].join("\n");
await recordBlock(README, "idle", block);
console.log(block);
await recordSummary(
  "idle",
  "bench/imap/idle_sessions.ts",
  `- ${sessions} sessions in IDLE (${new Date().toISOString().slice(0, 10)}): the server's ` +
    `RSS right after they logged in ${rssRightAfter[0].toFixed(0)} MiB with the lab's V8 flags ` +
    `(${rssRightAfter[1].toFixed(0)} MiB with V8's defaults), ${withFlags["per idle session"]} ` +
    `per session once V8 gave back its young generation.`,
);
