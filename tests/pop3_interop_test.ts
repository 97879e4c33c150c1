/**
 * Real clients judge our POP3 server, and a real server judges our client.
 *
 * Mail is delivered the way it is in the course: over SMTP, by Python's smtplib, to
 * lib/smtp's server, into lib/maildir's MailStore. Then curl (pop3://), Python's poplib
 * and fetchmail fetch it from our POP3 server on the same store, and each message must
 * come back byte for byte as it was stored (fetchmail: up to its CRLF to LF conversion
 * for the MDA). curl and poplib judge the server on one thread and on two. Last, our
 * client fetches the same Maildir through Dovecot's POP3.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { Pop3Client, servePop3, servePop3Threads, syncNew } from "../lib/pop3/mod.ts";
import { startDovecot } from "../lib/dovecot/mod.ts";
import { serveSmtp } from "../lib/smtp/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

const USERS = new Map([["alice", "wonderland"]]);
const decoder = new TextDecoder();

/** Messages that exercise byte-stuffing, long lines, 8-bit text and empty bodies. */
const MESSAGES: string[] = [
  "Subject: plain\r\n\r\nHello Alice.\r\n",
  "Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\nend\r\n",
  "Subject: long line\r\n\r\n" + "x".repeat(900) + "\r\n",
  "Subject: =?UTF-8?B?5L2g5aW9?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n你好，世界\r\n",
  "Subject: empty body\r\n\r\n",
];

/** Deliver MESSAGES over SMTP with Python's smtplib; return the stored bytes in order. */
async function deliverOverSmtp(store: MailStore): Promise<Uint8Array[]> {
  await using smtp = serveSmtp({ store, users: USERS });
  const script = `
import smtplib, sys, json
messages = json.loads(sys.argv[1])
with smtplib.SMTP("127.0.0.1", ${smtp.port}, timeout=10) as s:
    for m in messages:
        s.sendmail("sender@example.org", ["alice@localhost"], m.encode("utf-8"))
`;
  const result = await run(tool("python3"), ["-c", script, JSON.stringify(MESSAGES)]);
  assert.equal(result.code, 0, result.stderr);
  const box = await store.mailbox("alice");
  const listed = await box.list();
  assert.equal(listed.length, MESSAGES.length);
  const stored = await Promise.all(listed.map((m) => box.read(m.id)));
  // What we sent is what was stored, after the Return-Path and Received: lines SMTP adds.
  stored.forEach((bytes, i) => assert.ok(decoder.decode(bytes).endsWith(MESSAGES[i])));
  return stored;
}

/** The two ways our server runs: on the caller's thread, and on two (lib/pop3/threads.ts). */
const SERVERS = ["one thread", "two threads"] as const;

/** A fresh store with MESSAGES delivered, and our POP3 server on it. */
async function fixture(server: typeof SERVERS[number] = "one thread") {
  const root = await Deno.makeTempDir({ prefix: "pop3-interop-" });
  const store = new MailStore(root);
  const stored = await deliverOverSmtp(store);
  const options = { users: USERS, authFailureDelayMs: 1 };
  const pop3 = server === "one thread"
    ? servePop3({ store, ...options })
    : await servePop3Threads({ root, threads: 2, ...options });
  return {
    root,
    store,
    stored,
    pop3,
    async [Symbol.asyncDispose]() {
      await pop3.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

for (const server of SERVERS) {
  Deno.test({
    name: `curl fetches every message byte for byte from our POP3 server (${server})`,
    ...requireTool("curl", "python3"),
    fn: async () => {
      await using f = await fixture(server);
      const base = `pop3://127.0.0.1:${f.pop3.port}`;
      const listing = await run(tool("curl"), [
        "-sS",
        "--max-time",
        "10",
        "-u",
        "alice:wonderland",
        `${base}/`,
      ]);
      assert.equal(listing.code, 0, listing.stderr);
      assert.deepEqual(
        listing.stdout.trim().split("\r\n"),
        f.stored.map((m, i) => `${i + 1} ${m.length}`),
      );
      for (let i = 0; i < f.stored.length; i++) {
        const retr = await run(tool("curl"), [
          "-sS",
          "--max-time",
          "10",
          "-u",
          "alice:wonderland",
          `${base}/${i + 1}`,
        ]);
        assert.equal(retr.code, 0, retr.stderr);
        assert.deepEqual(retr.bytes, f.stored[i], `message ${i + 1}`);
      }
      const uidl = await run(tool("curl"), [
        "-sS",
        "--max-time",
        "10",
        "-u",
        "alice:wonderland",
        "-X",
        "UIDL",
        `${base}/`,
      ]);
      const ids = (await (await f.store.mailbox("alice")).list()).map((m) => m.id);
      assert.deepEqual(uidl.stdout.trim().split("\r\n"), ids.map((id, i) => `${i + 1} ${id}`));
      const wrong = await run(tool("curl"), [
        "-sS",
        "--max-time",
        "10",
        "-u",
        "alice:nope",
        `${base}/1`,
      ]);
      assert.notEqual(wrong.code, 0, "a wrong password fails");
    },
  });

  Deno.test({
    name: `Python's poplib fetches, tops, deletes on QUIT and sees locking (${server})`,
    ...requireTool("python3"),
    fn: async () => {
      await using f = await fixture(server);
      const script = `
import poplib, json, sys
p = poplib.POP3("127.0.0.1", ${f.pop3.port}, timeout=10)
out = {"capa": sorted(p.capa().keys())}
p.user("alice"); p.pass_("wonderland")
other = poplib.POP3("127.0.0.1", ${f.pop3.port}, timeout=10)
other.user("alice")
try:
    other.pass_("wonderland"); out["locked"] = "no error"
except poplib.error_proto as e:
    out["locked"] = e.args[0].decode()
other.quit()
out["stat"] = list(p.stat())
out["retr"] = [b"".join(l + b"\\r\\n" for l in p.retr(i + 1)[1]).hex() for i in range(p.stat()[0])]
out["top"] = [l.decode() for l in p.top(2, 1)[1]]
out["uidl"] = [l.decode() for l in p.uidl()[1]]
p.dele(1)
out["quit"] = p.quit().decode()
print(json.dumps(out))
`;
      const result = await run(tool("python3"), ["-c", script]);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout);
      assert.ok(out.capa.includes("UIDL") && out.capa.includes("TOP"));
      assert.match(out.locked, /^-ERR \[IN-USE\]/);
      assert.deepEqual(out.stat, [f.stored.length, f.stored.reduce((s, m) => s + m.length, 0)]);
      out.retr.forEach((hex: string, i: number) =>
        assert.equal(
          hex,
          [...f.stored[i]].map((b) => b.toString(16).padStart(2, "0")).join(""),
          `message ${i + 1}`,
        )
      );
      assert.deepEqual(
        out.top.slice(-3),
        ["Subject: dots", "", "."],
        "TOP 2 1: one un-stuffed line",
      );
      assert.match(out.quit, /^\+OK/);
      assert.equal((await (await f.store.mailbox("alice")).list()).length, f.stored.length - 1);
    },
  });
}

Deno.test({
  name: "fetchmail downloads every message, then nothing new on a second run (UIDL, keep)",
  ...requireTool("fetchmail"),
  fn: async () => {
    await using f = await fixture();
    const home = await Deno.makeTempDir({ prefix: "fetchmail-" });
    try {
      await Deno.mkdir(`${home}/out`);
      const rc = `${home}/fetchmailrc`;
      await Deno.writeTextFile(
        rc,
        `set invisible\n` +
          `poll 127.0.0.1 service ${f.pop3.port} protocol pop3 uidl auth password timeout 10\n` +
          `  user "alice" password "wonderland" is "root" here\n` +
          `  keep sslproto "" no sslcertck\n` +
          `  mda "/bin/sh -c 'cat > ${home}/out/msg.$$'"\n`,
        { mode: 0o600 },
      );
      await Deno.chmod(rc, 0o600);
      const args = ["-f", rc, "-i", `${home}/ids`, "--nosyslog"];
      const env = { HOME: home, FETCHMAILHOME: home };
      const first = await run(tool("fetchmail"), args, { env });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const files = [];
      for await (const entry of Deno.readDir(`${home}/out`)) files.push(entry.name);
      assert.equal(files.length, f.stored.length);
      const fetched = await Promise.all(
        files.map((name) => Deno.readTextFile(`${home}/out/${name}`)),
      );
      // fetchmail hands the MDA LF line endings (it strips CR), so compare in that form.
      const expected = f.stored.map((m) => decoder.decode(m).replaceAll("\r\n", "\n"));
      assert.deepEqual(fetched.sort(), expected.sort());
      const second = await run(tool("fetchmail"), args, { env });
      assert.equal(
        second.code,
        1,
        "exit code 1 means no new mail: " + second.stdout + second.stderr,
      );
      assert.equal(
        (await (await f.store.mailbox("alice")).list()).length,
        f.stored.length,
        "keep left mail",
      );
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: "our client fetches the same Maildir through Dovecot's POP3 byte for byte",
  ...requireTool("dovecot", "python3"),
  fn: async () => {
    await using f = await fixture();
    await using dovecot = await startDovecot({ protocol: "pop3", mailRoot: f.root, users: USERS });
    {
      await using client = await Pop3Client.connect(dovecot.port, { timeoutMs: 10_000 });
      await client.login("alice", "wonderland");
      assert.ok((await client.capa()).includes("UIDL"));
      assert.equal((await client.stat()).count, f.stored.length);
      for (let i = 0; i < f.stored.length; i++) {
        assert.deepEqual(await client.retr(i + 1), f.stored[i], `message ${i + 1}`);
      }
      const known = new Set<string>();
      const first = await syncNew(client, known, () => {});
      assert.equal(first.fetch.length, f.stored.length);
      assert.equal((await syncNew(client, known, () => {})).fetch.length, 0);
      await client.dele(1);
      await client.quit();
    }
    await using again = await Pop3Client.connect(dovecot.port, { timeoutMs: 10_000 });
    await again.login("alice", "wonderland");
    assert.equal((await again.stat()).count, f.stored.length - 1, "Dovecot removed it in UPDATE");
    await again.quit();
  },
});
