/**
 * Sessions listening with NOTIFY (RFC 5465) to ten folders each: N clients LOGIN and send
 * `NOTIFY SET (personal (MessageNew MessageExpunge))` to our server (its own process,
 * bench/imap/serve.ts) over a Maildir of eleven folders, then say nothing. We read the
 * server's CPU time from /proc while they wait (the folders' watchers are shared, there is
 * no polling per session), count its inotify watches (two per watched folder),
 * deliver one message into one folder from outside and time until every session has its
 * `* STATUS`. The results go into bench/README-imap.md between the `notify:begin` and
 * `notify:end` markers.
 *
 *   deno run -A bench/imap/notify_sessions.ts [sessions=100] [idle seconds=10]
 *
 * @module
 */

import { startOurServer } from "./our_server.ts";
import { processTree } from "../processes.ts";
import { connectLoopback, LineReader, writeAll } from "../../lib/net/mod.ts";
import { Maildir, MailStore } from "../../lib/maildir/mod.ts";
import { recordBlock } from "../record.ts";

const sessions = Number(Deno.args[0] ?? 100);
const idleSeconds = Number(Deno.args[1] ?? 10);
const FOLDERS = 10;
const README = new URL("../README-imap.md", import.meta.url);
const encoder = new TextEncoder();

/**
 * How many inotify watches a process holds: Deno keeps one inotify instance per process
 * for all its `Deno.watchFs` watchers, and lists each watched directory as an
 * `inotify wd:` line in the instance's /proc fdinfo.
 */
async function inotifyWatches(pid: number): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`).catch(() => "");
    if (target !== "anon_inode:inotify") continue;
    const info = await Deno.readTextFile(`/proc/${pid}/fdinfo/${entry.name}`);
    count += info.split("\n").filter((line) => line.startsWith("inotify wd:")).length;
  }
  return count;
}

const root = await Deno.makeTempDir({ prefix: "imap-notify-" });
const box = await new MailStore(root).mailbox("alice");
for (let i = 0; i < FOLDERS; i++) await box.createFolder(`Lists/list${i}`);
const { process: server, port, stop: stopServer } = await startOurServer({
  root,
  user: "alice",
  password: "pw",
  maxConnections: 1000,
  stderr: "null",
});
const pid = server.pid;

type Client = { conn: Deno.TcpConn; reader: LineReader };

/** One session: LOGIN, then NOTIFY for every personal folder; then it says nothing. */
async function listeningClient(): Promise<Client> {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 120_000, maxLineLength: 65536 });
  await reader.readLine(); // greeting
  await writeAll(
    conn,
    encoder.encode("a LOGIN alice pw\r\nb NOTIFY SET (personal (MessageNew MessageExpunge))\r\n"),
  );
  while (!(await reader.readLine())?.text.startsWith("b OK"));
  return { conn, reader };
}

const clients: Client[] = [];
let results: Record<string, string> = {};
try {
  const watchesBefore = await inotifyWatches(pid);
  for (let i = 0; i < sessions; i += 50) {
    clients.push(
      ...await Promise.all(
        Array.from({ length: Math.min(50, sessions - i) }, () => listeningClient()),
      ),
    );
  }
  const watches = await inotifyWatches(pid);
  const cpu0 = (await processTree(pid)).cpu;
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleCpu = (await processTree(pid)).cpu - cpu0;

  // One delivery by another program into one folder: how long until every session is told.
  const other = await Maildir.open(`${root}/alice`);
  const delivered = performance.now();
  await other.deliver(encoder.encode("Subject: for the list\r\n\r\nhi\r\n"), {
    folder: "Lists/list7",
  });
  const lines = await Promise.all(clients.map(async ({ reader }) => {
    while (true) {
      const line = (await reader.readLine())?.text ?? "";
      if (line.startsWith("* STATUS")) return line;
    }
  }));
  const pushMs = performance.now() - delivered;

  for (const { conn } of clients) conn.close();
  clients.length = 0;
  await new Promise((r) => setTimeout(r, 2000));
  const watchesAfter = await inotifyWatches(pid);
  results = {
    sessions: String(sessions),
    "folders each session listens to": String(FOLDERS + 1),
    "server's inotify watches before / all listening / after all left":
      `${watchesBefore} / ${watches} / ${watchesAfter}`,
    [`server CPU while all listen (${idleSeconds} s)`]: `${
      (idleCpu / idleSeconds * 100).toFixed(1)
    } % of a core`,
    "delivery to the last session's STATUS": `${pushMs.toFixed(0)} ms`,
    "what each session was told": `\`${lines[0]}\``,
  };
} finally {
  for (const { conn } of clients) conn.close();
  await stopServer();
  await Deno.remove(root, { recursive: true });
}

const cpus = (await Deno.readTextFile("/proc/cpuinfo")).match(/^processor/gm)?.length ?? 0;
const block = [
  "<!-- notify:begin (written by bench/imap/notify_sessions.ts) -->",
  "",
  `Run on ${new Date().toISOString().slice(0, 10)} (Deno ${Deno.version.deno}, ${cpus} cores):`,
  "",
  "| measure | value |",
  "| ------- | ----- |",
  ...Object.entries(results).map(([k, v]) => `| ${k} | ${v} |`),
  "",
  "<!-- notify:end -->",
].join("\n");
await recordBlock(README, "notify", block);
console.log(block);
