/**
 * Real IMAP software judges our server (curl, Python's imaplib, fetchmail, mbsync) and
 * our client (against Dovecot). Contents and flags are checked against the Maildir.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { ImapClient } from "../lib/imap/client.ts";
import { startDovecot } from "../lib/dovecot/mod.ts";
import { serveImap } from "../lib/imap/server.ts";
import { requireTool, run, tool } from "./tools.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const USERS = new Map([["alice", "s3cret"]]);
const MESSAGE = (n: number) =>
  `From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: Message ${n}\r\n` +
  `Date: Mon, 1 Jan 2024 10:0${n}:00 +0000\r\nMessage-ID: <${n}@example.org>\r\n\r\nBody number ${n}.\r\n`;

async function fixture(count: number) {
  const root = await Deno.makeTempDir({ prefix: "imap-interop-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (let i = 1; i <= count; i++) await box.deliver(bytes(MESSAGE(i)));
  const server = serveImap({ store, users: USERS, pollIntervalMs: 100 });
  return {
    root,
    box,
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test({
  name: "curl lists mailboxes, fetches a message by UID and uploads one",
  ...requireTool("curl"),
  fn: async () => {
    await using f = await fixture(2);
    const url = `imap://127.0.0.1:${f.server.port}`;
    const auth = ["--user", "alice:s3cret", "--max-time", "20", "-s", "-S"];
    const list = await run(tool("curl"), [...auth, `${url}/`]);
    deepStrictEqual(list.code, 0, list.stderr);
    ok(list.stdout.includes('"/" INBOX') || list.stdout.includes('"/" "INBOX"'), list.stdout);
    const message = await run(tool("curl"), [...auth, `${url}/INBOX;UID=2`]);
    deepStrictEqual(message.stdout, MESSAGE(2));
    const file = await Deno.makeTempFile();
    await Deno.writeTextFile(file, "Subject: from curl\r\n\r\nuploaded\r\n");
    const upload = await run(tool("curl"), [...auth, "-T", file, `${url}/INBOX`]);
    await Deno.remove(file);
    deepStrictEqual(upload.code, 0, upload.stderr);
    const stored = await f.box.list();
    deepStrictEqual(stored.length, 3);
    deepStrictEqual(text(await f.box.read(stored[2].id)), "Subject: from curl\r\n\r\nuploaded\r\n");
    // curl fetched with BODY[] (not PEEK): message 2 is now \Seen in the Maildir;
    // curl uploads with APPEND INBOX (\Seen), so the new one is seen too.
    deepStrictEqual(stored.map((m) => m.flags.includes("S")), [false, true, true]);
  },
});

Deno.test({
  name: "Python's imaplib logs in, searches, fetches, stores flags and expunges",
  ...requireTool("python3"),
  fn: async () => {
    await using f = await fixture(3);
    const script = `
import imaplib, sys, json
M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
M.login("alice", "s3cret")
typ, data = M.select("INBOX")
out = {"exists": int(data[0])}
out["search"] = M.search(None, "SUBJECT", '"Message 2"')[1][0].decode()
typ, data = M.fetch("2", "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
out["header"] = data[0][1].decode()
typ, data = M.uid("FETCH", "3", "(BODY[])")
out["body"] = data[0][1].decode()
M.store("1", "+FLAGS", "(\\\\Deleted)")
M.store("2", "+FLAGS", "(\\\\Flagged)")
out["expunged"] = [x.decode() for x in M.expunge()[1]]
typ, data = M.append("INBOX", "(\\\\Draft)", None, b"Subject: py\\r\\n\\r\\nfrom imaplib\\r\\n")
out["append"] = data[0].decode()
M.logout()
print(json.dumps(out))
`;
    const result = await run(tool("python3"), ["-c", script, String(f.server.port)]);
    deepStrictEqual(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    deepStrictEqual(out.exists, 3);
    deepStrictEqual(out.search, "2");
    deepStrictEqual(out.header, "Subject: Message 2\r\n\r\n");
    deepStrictEqual(out.body, MESSAGE(3));
    deepStrictEqual(out.expunged, ["1"]);
    ok(out.append.startsWith("[APPENDUID "), out.append);
    const stored = await f.box.list();
    deepStrictEqual(stored.map((m) => m.flags), ["F", "S", "D"]);
  },
});

Deno.test({
  name: "fetchmail reads every message and marks them seen",
  ...requireTool("fetchmail"),
  fn: async () => {
    await using f = await fixture(2);
    const dir = await Deno.makeTempDir({ prefix: "fetchmail-" });
    try {
      const rc = `${dir}/fetchmailrc`;
      await Deno.writeTextFile(
        rc,
        `poll 127.0.0.1 service ${f.server.port} protocol IMAP auth password user "alice" password "s3cret" keep sslproto '' mda "/bin/sh -c 'cat >> ${dir}/out.mbox'"\n`,
      );
      await Deno.chmod(rc, 0o600);
      const result = await run(tool("fetchmail"), [
        "-f",
        rc,
        "--nosyslog",
        "-v",
        "--idfile",
        `${dir}/ids`,
      ], {
        env: { HOME: dir },
      });
      deepStrictEqual(result.code, 0, result.stdout + result.stderr);
      const mbox = await Deno.readTextFile(`${dir}/out.mbox`);
      ok(mbox.includes("Body number 1.") && mbox.includes("Body number 2."), mbox);
      deepStrictEqual((await f.box.list()).map((m) => m.flags), ["S", "S"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "mbsync syncs a whole account both ways: mail and flags",
  ...requireTool("mbsync"),
  fn: async () => {
    await using f = await fixture(3);
    await f.box.createFolder("Archive");
    await f.box.deliver(bytes(MESSAGE(9)), { folder: "Archive", flags: "F" });
    await f.box.setFlags((await f.box.list())[0].id, "S");
    const dir = await Deno.makeTempDir({ prefix: "mbsync-" });
    try {
      const local = `${dir}/local`;
      await Deno.writeTextFile(
        `${dir}/mbsyncrc`,
        `IMAPAccount course\nHost 127.0.0.1\nPort ${f.server.port}\nUser alice\nPass s3cret\nSSLType None\nAuthMechs LOGIN\n\n` +
          `IMAPStore remote\nAccount course\n\nMaildirStore local\nInbox ${local}\nSubFolders Maildir++\n\n` +
          `Channel sync\nFar :remote:\nNear :local:\nPatterns *\nSync All\nCreate Both\nExpunge Both\nSyncState *\n`,
      );
      const sync = () =>
        run(tool("mbsync"), ["-c", `${dir}/mbsyncrc`, "-a"], { env: { HOME: dir } });
      let result = await sync();
      deepStrictEqual(result.code, 0, result.stdout + result.stderr);
      // Server to local: three INBOX messages (the first \Seen) and the Archive folder.
      const files = async (sub: string) => {
        const names: string[] = [];
        for (const d of ["cur", "new"]) {
          for await (const e of Deno.readDir(`${local}/${sub}${d}`)) names.push(e.name);
        }
        return names.sort();
      };
      const inbox = await files("");
      deepStrictEqual(inbox.length, 3);
      deepStrictEqual(inbox.filter((n) => /:2,[A-Z]*S/.test(n)).length, 1);
      const archive = await files(".Archive/");
      ok(archive.length === 1 && /:2,F$/.test(archive[0]), archive.join());
      // Local to server: a new message and a flag change.
      await Deno.writeTextFile(`${local}/cur/1700000000.local.host:2,S`, MESSAGE(7));
      const unseen = inbox.find((n) => !/S$/.test(n))!;
      const from = `${local}/${
        (await Deno.stat(`${local}/cur/${unseen}`).catch(() => null)) ? "cur" : "new"
      }/${unseen}`;
      await Deno.rename(from, `${local}/cur/${unseen.replace(/:2,.*$/, "")}:2,F`);
      result = await sync();
      deepStrictEqual(result.code, 0, result.stdout + result.stderr);
      const stored = await f.box.list();
      deepStrictEqual(stored.length, 4);
      const bodies = await Promise.all(stored.map((m) => f.box.read(m.id).then(text)));
      ok(bodies.some((b) => b.includes("Body number 7.")), "the local message reached the server");
      ok(stored.some((m) => m.flags === "F"), stored.map((m) => m.flags).join());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "our client works against Dovecot on the same kind of Maildir",
  ...requireTool("dovecot"),
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "imap-dovecot-" });
    try {
      const box = await new MailStore(root).mailbox("alice");
      for (let i = 1; i <= 3; i++) await box.deliver(bytes(MESSAGE(i)));
      await using dovecot = await startDovecot({
        protocol: "imap",
        mailRoot: root,
        users: USERS,
        binary: tool("dovecot"),
      });
      await using client = await ImapClient.connect(dovecot.port);
      ok(client.capabilities.has("IMAP4REV1"));
      await client.login("alice", "s3cret");
      const selected = await client.select("INBOX");
      deepStrictEqual(selected.exists, 3);
      ok(selected.uidValidity > 0);
      const [m] = await client.fetch(
        "2",
        "(UID BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[]<0.4>)",
      );
      deepStrictEqual(
        text(m.sections.get("BODY[HEADER.FIELDS (SUBJECT)]")!),
        "Subject: Message 2\r\n\r\n",
      );
      deepStrictEqual(text(m.sections.get("BODY[]<0>")!), "From");
      deepStrictEqual(await client.search('SUBJECT "Message 3"'), [3]);
      await client.store("1", "+FLAGS", ["\\Flagged"]);
      const appended = await client.append("INBOX", "Subject: to dovecot\r\n\r\nhi\r\n", {
        flags: ["\\Seen"],
      });
      ok((appended.uid ?? 0) > 0 || appended.uid === undefined);
      const idle = client.idle({ until: (r) => r.type === "EXISTS", timeoutMs: 5000 });
      await using other = await ImapClient.connect(dovecot.port);
      await other.login("alice", "s3cret");
      await other.append("INBOX", "Subject: wake up\r\n\r\nx\r\n");
      ok((await idle).some((r) => r.type === "EXISTS" && r.number === 5));
      await other.logout();
      await client.logout();
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "keywords set through our server are read back by Dovecot, and Dovecot's by ours",
  ...requireTool("dovecot"),
  fn: async () => {
    await using f = await fixture(2);
    {
      await using ours = await ImapClient.connect(f.server.port);
      await ours.login("alice", "s3cret");
      await ours.select("INBOX");
      await ours.store("1", "+FLAGS", ["$Forwarded", "$Label1", "\\Seen"]);
      await ours.logout();
    }
    await using dovecot = await startDovecot({
      protocol: "imap",
      mailRoot: f.root,
      users: USERS,
      binary: tool("dovecot"),
    });
    {
      await using client = await ImapClient.connect(dovecot.port);
      await client.login("alice", "s3cret");
      await client.select("INBOX");
      const [first, second] = await client.fetch("1:2", "FLAGS");
      deepStrictEqual(
        first.flags?.filter((flag) => flag !== "\\Recent").sort(),
        ["$Forwarded", "$Label1", "\\Seen"],
      );
      // Dovecot adds a keyword of its own choosing; ours must see it under the same name.
      await client.store("2", "+FLAGS", ["$Junk"]);
      ok(!second.flags?.includes("$Junk"));
      await client.logout();
    }
    await using ours = await ImapClient.connect(f.server.port);
    await ours.login("alice", "s3cret");
    await ours.select("INBOX");
    const [, second] = await ours.fetch("1:2", "FLAGS");
    deepStrictEqual(second.flags?.filter((flag) => flag !== "\\Recent"), ["$Junk"]);
    await ours.logout();
  },
});
