/**
 * Benchmark (not a test): messages per second and memory of SMTP servers under Postfix's
 * smtp-source load, every message fsynced to Maildir before the 250.
 *
 *   deno run -A bench/smtp/run.ts [--messages 4000] [--sessions 8] [--size 4096]
 *
 * Runs, in the same process run, (1) our server (lib/smtp over lib/maildir), (2)
 * nodemailer's smtp-server 3.21.6 on Node storing the same way (installed with npm into a
 * temp folder outside the repository), (3) smtp-source against smtp-sink (no disk) as the
 * ceiling of the load generator. See bench/README-smtp.md for results.
 *
 * @module
 */

import { MailStore } from "../../lib/maildir/mod.ts";
import { connectLoopback } from "../../lib/net/mod.ts";
import { serveSmtp } from "../../lib/smtp/mod.ts";
import { findTool } from "../../tests/tools.ts";

const arg = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const MESSAGES = arg("messages", 4000);
const SESSIONS = arg("sessions", 8);
const SIZE = arg("size", 4096);

const smtpSource = findTool("smtp-source");
if (!smtpSource) {
  throw new Error("Cannot run: smtp-source (Debian package postfix) is not installed");
}

async function load(port: number): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(smtpSource!, {
    args: [
      "-s",
      String(SESSIONS),
      "-m",
      String(MESSAGES),
      "-l",
      String(SIZE),
      "-d",
      "-f",
      "al@pc.test",
      "-t",
      "bob@bench.test",
      `127.0.0.1:${port}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`smtp-source failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return performance.now() - start;
}

async function waitFor(port: number) {
  for (let i = 0; i < 250; i++) {
    try {
      (await connectLoopback(port, { timeoutMs: 500 })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

function countFiles(dir: string): number {
  return [...Deno.readDirSync(dir)].length;
}

/**
 * nodemailer's smtp-server, storing each message the way our server does. Kept as text
 * and written next to its node_modules at run time: it is Node code, not part of the
 * Deno project (a .mjs file here would be type-checked against deno.json's imports).
 */
const NODE_SERVER =
  `// nodemailer's smtp-server, storing each message the way our server does: write to
// tmp/, fsync, link into new/, fsync the folder, and only then answer 250.
// Usage: node node_smtp_server.mjs <maildir> (prints "PORT <n>" when listening)
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

const results: { name: string; ms: number; rate: number; memory: string; stored: number }[] = [];
const tmp = await Deno.makeTempDir({ prefix: "smtp-bench-" });
try {
  // 1. our server
  {
    const root = `${tmp}/ours`;
    await using server = serveSmtp({
      store: new MailStore(root),
      users: new Map([["bob", "x"]]),
      domains: ["bench.test"],
      hostname: "bench.test",
    });
    const before = Deno.memoryUsage().rss;
    const ms = await load(server.port);
    const after = Deno.memoryUsage().rss;
    const stored = countFiles(`${root}/bob/new`);
    results.push({
      name: "ours (Deno, lib/smtp + lib/maildir)",
      ms,
      rate: MESSAGES / ms * 1000,
      memory: `RSS ${(after / 2 ** 20).toFixed(0)} MiB (+${
        ((after - before) / 2 ** 20).toFixed(0)
      })`,
      stored,
    });
  }
  // 2. nodemailer smtp-server
  const nodeDir = `${tmp}/node`;
  await Deno.mkdir(nodeDir);
  const npm = await new Deno.Command("npm", {
    args: ["install", "--silent", "--prefix", nodeDir, "smtp-server@3.21.6"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (npm.code === 0) {
    await Deno.writeTextFile(`${nodeDir}/server.mjs`, NODE_SERVER);
    const root = `${tmp}/node-maildir`;
    const child = new Deno.Command("node", {
      args: [`${nodeDir}/server.mjs`, root],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/PORT \d+/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("node server exited");
      text += value;
    }
    const port = Number(/PORT (\d+)/.exec(text)![1]);
    await waitFor(port);
    const ms = await load(port);
    const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
    const hwm = /VmHWM:\s+(\d+)/.exec(status)![1];
    child.kill("SIGTERM");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    results.push({
      name: "nodemailer smtp-server 3.21.6 (Node)",
      ms,
      rate: MESSAGES / ms * 1000,
      memory: `peak RSS ${(Number(hwm) / 1024).toFixed(0)} MiB`,
      stored: countFiles(`${root}/new`),
    });
  } else {
    console.error(
      "npm install smtp-server failed; skipping:",
      new TextDecoder().decode(npm.stderr),
    );
  }
  // 3. smtp-sink: the load generator's ceiling (no disk)
  const sink = findTool("smtp-sink");
  if (sink) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const child = new Deno.Command(sink, {
      args: ["-u", "nobody", `127.0.0.1:${port}`, "256"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(port);
    const ms = await load(port);
    child.kill("SIGTERM");
    await child.status;
    results.push({
      name: "smtp-sink (no storage; ceiling of the load)",
      ms,
      rate: MESSAGES / ms * 1000,
      memory: "-",
      stored: 0,
    });
  }
} finally {
  await Deno.remove(tmp, { recursive: true });
}

const ours = results[0].rate;
console.log(
  `${MESSAGES} messages of ${SIZE} bytes, ${SESSIONS} sessions (smtp-source -d), fsync before 250\n`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(48)} ${r.rate.toFixed(0).padStart(7)} msg/s  ${
      (r.ms / 1000).toFixed(2)
    } s  stored ${r.stored}  ${r.memory}  ours/this = ${(ours / r.rate).toFixed(2)}`,
  );
}
