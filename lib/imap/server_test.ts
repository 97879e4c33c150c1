import { deepStrictEqual, ok, rejects } from "node:assert/strict";
import { connectLoopback, LineReader } from "../net/mod.ts";
import { Maildir, MailStore } from "../maildir/mod.ts";
import { ImapClient, ImapCommandError } from "./client.ts";
import { type ImapServerOptions, serveImap } from "./server.ts";

const MESSAGE = [
  "From: Alice <alice@example.org>",
  "To: bob@example.net",
  "Subject: Lunch",
  "Date: Mon, 1 Jan 2024 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b"',
  "",
  "--b",
  "Content-Type: text/plain",
  "",
  "See you at noon.",
  "--b",
  "Content-Type: application/octet-stream",
  "Content-Transfer-Encoding: base64",
  "",
  "AAECAwQ=",
  "--b--",
  "",
].join("\r\n");
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

/** A temp store with alice's INBOX holding `count` messages, and a server over it. */
async function fixture(count = 2, options: Partial<ImapServerOptions> = {}) {
  const root = await Deno.makeTempDir({ prefix: "imap-test-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (let i = 0; i < count; i++) {
    await box.deliver(bytes(MESSAGE.replace("Lunch", `Lunch ${i + 1}`)));
  }
  const server = serveImap({
    store,
    users: new Map([["alice", "pw"]]),
    pollIntervalMs: 50,
    ...options,
  });
  return {
    root,
    store,
    box,
    server,
    async client() {
      const c = await ImapClient.connect(server.port, { timeoutMs: 5000 });
      await c.login("alice", "pw");
      return c;
    },
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Send raw lines and read `n` response lines (for bad input the client refuses to send). */
async function raw(port: number, send: string, lines: number): Promise<string[]> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
  await reader.readLine(); // greeting
  await conn.write(bytes(send));
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push((await reader.readLine())?.text ?? "<closed>");
  return out;
}

Deno.test("serveImap() greets with capabilities and logs in with LOGIN and AUTHENTICATE PLAIN", async () => {
  await using f = await fixture(0);
  await using c = await ImapClient.connect(f.server.port);
  ok(
    c.capabilities.has("IMAP4REV1") && c.capabilities.has("IDLE") &&
      c.capabilities.has("AUTH=PLAIN"),
  );
  await rejects(
    c.login("alice", "wrong"),
    (e: unknown) => e instanceof ImapCommandError && e.status === "NO",
  );
  await c.authenticatePlain("alice", "pw");
  ok(!c.capabilities.has("AUTH=PLAIN"));
  await c.logout();
});

Deno.test("serveImap() answers bad tags, unknown commands, bad syntax and wrong states with BAD", async () => {
  await using f = await fixture(0);
  const lines = await raw(
    f.server.port,
    "* NOOP\r\na1 FROB\r\na2 SELECT INBOX\r\na3 LOGIN (x\r\na4 FETCH 1 FLAGS\r\n",
    5,
  );
  deepStrictEqual(lines.map((l) => l.split(" ").slice(0, 2).join(" ")), [
    "* BAD",
    "a1 BAD",
    "a2 BAD",
    "a3 BAD",
    "a4 BAD",
  ]);
});

Deno.test("serveImap() refuses a huge literal before reading it", async () => {
  await using f = await fixture(0, { maxLiteralSize: 1000 });
  const sync = await raw(f.server.port, "a1 APPEND INBOX {99999999999}\r\na2 NOOP\r\n", 2);
  ok(sync[0].startsWith("a1 NO [TOOBIG]"), sync[0]);
  deepStrictEqual(sync[1], "a2 OK NOOP completed");
  const plus = await raw(f.server.port, "a1 APPEND INBOX {4000000000+}\r\nxxxx", 3);
  ok(
    plus[0].startsWith("a1 BAD [TOOBIG]") && plus[1].startsWith("* BYE") && plus[2] === "<closed>",
    plus.join("|"),
  );
});

Deno.test("SELECT reports EXISTS, UIDVALIDITY and UIDNEXT, which survive a restart", async () => {
  await using f = await fixture(3);
  let first;
  {
    await using c = await f.client();
    first = await c.select("INBOX");
    deepStrictEqual([first.exists, first.recent, first.uidNext], [3, 3, 4]);
    ok(first.uidValidity > 0);
  }
  await using again = serveImap({
    store: new MailStore(f.root),
    users: new Map([["alice", "pw"]]),
  });
  await using c2 = await ImapClient.connect(again.port);
  await c2.login("alice", "pw");
  const second = await c2.select("INBOX");
  deepStrictEqual([second.uidValidity, second.uidNext, second.recent], [first.uidValidity, 4, 0]);
});

Deno.test("FETCH returns headers only, one MIME part and a byte range", async () => {
  await using f = await fixture(1);
  await using c = await f.client();
  await c.select("INBOX");
  const [m] = await c.fetch(
    "1",
    "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[]<0.10>)",
  );
  deepStrictEqual(m.uid, 1);
  deepStrictEqual(m.size, bytes(MESSAGE.replace("Lunch", "Lunch 1")).length);
  deepStrictEqual(
    text(m.sections.get("BODY[HEADER.FIELDS (SUBJECT)]")),
    "Subject: Lunch 1\r\n\r\n",
  );
  deepStrictEqual(text(m.sections.get("BODY[1]")), "See you at noon.");
  ok(text(m.sections.get("BODY[2.MIME]")).startsWith("Content-Type: application/octet-stream"));
  deepStrictEqual(text(m.sections.get("BODY[]<0>")), "From: Alic");
  const [flags] = await c.fetch("1", "FLAGS");
  ok(!flags.flags?.includes("\\Seen"), "BODY.PEEK must not set \\Seen");
  const [read] = await c.fetch("1", "BODY[TEXT]");
  ok(read.flags?.includes("\\Seen"), "BODY[] sets \\Seen and reports it");
  deepStrictEqual((await f.box.list())[0].flags, "S");
});

Deno.test("two sessions on one mailbox see each other's flags, expunges and new mail", async () => {
  await using f = await fixture(2);
  await using a = await f.client();
  await using b = await f.client();
  await a.select("INBOX");
  await b.select("INBOX");
  await a.store("1", "+FLAGS", ["\\Seen"]);
  const seen = await b.noop();
  ok(seen.some((r) => r.type === "FETCH" && r.number === 1), JSON.stringify(seen));
  await a.store("2", "+FLAGS", ["\\Deleted"]);
  deepStrictEqual(await a.expunge(), [2]);
  const gone = await b.noop();
  ok(gone.some((r) => r.type === "EXPUNGE" && r.number === 2));
  const { uid } = await a.append("INBOX", "Subject: new\r\n\r\nhi\r\n");
  deepStrictEqual(uid, 3);
  const arrived = await b.noop();
  ok(arrived.some((r) => r.type === "EXISTS" && r.number === 2));
  deepStrictEqual(await b.search("ALL", { uid: true }), [1, 3]);
});

Deno.test("IDLE wakes up when another program delivers into the Maildir", async () => {
  await using f = await fixture(0);
  await using c = await f.client();
  await c.select("INBOX");
  const other = await Maildir.open(`${f.root}/alice`); // as if another process delivered
  const idling = c.idle({ until: (r) => r.type === "EXISTS", timeoutMs: 3000 });
  await other.deliver(bytes("Subject: pushed\r\n\r\nhello\r\n"));
  const updates = await idling;
  ok(updates.some((r) => r.type === "EXISTS" && r.number === 1), JSON.stringify(updates));
});

Deno.test("SEARCH finds by flag, header, size and UID set", async () => {
  await using f = await fixture(3);
  await using c = await f.client();
  await c.select("INBOX");
  await c.store("2", "+FLAGS", ["\\Flagged"]);
  deepStrictEqual(await c.search("FLAGGED"), [2]);
  deepStrictEqual(await c.search('SUBJECT "lunch 3"'), [3]);
  deepStrictEqual(await c.search("NOT FLAGGED UID 2:*"), [3]);
  deepStrictEqual(await c.search("OR 1 3 LARGER 10"), [1, 3]);
  await rejects(
    c.search("BOGUS"),
    (e: unknown) => e instanceof ImapCommandError && e.status === "BAD",
  );
});

Deno.test("mailbox names cannot escape the user's Maildir", async () => {
  await using f = await fixture(0);
  await using c = await f.client();
  for (const name of ["../bob", "a/../../x", ".hidden", "x\u0001y"]) {
    await rejects(
      c.create(name),
      (e: unknown) => e instanceof ImapCommandError && e.status === "NO",
      name,
    );
  }
  await c.create("Archive/2024");
  await c.create("Entwürfe");
  deepStrictEqual((await c.list()).map((e) => e.name), [
    "INBOX",
    "Archive",
    "Archive/2024",
    "Entwürfe",
  ]);
  ok((await Deno.stat(`${f.root}/alice/.Archive.2024/cur`)).isDirectory);
});

Deno.test("an idle client is logged out after the timeout", async () => {
  await using f = await fixture(0, { idleTimeoutMs: 100 });
  using conn = await connectLoopback(f.server.port);
  const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
  await reader.readLine();
  const bye = await reader.readLine();
  ok(bye?.text.startsWith("* BYE Autologout"), bye?.text);
  deepStrictEqual(await reader.readLine(), null);
});

Deno.test("COPY and MOVE report COPYUID and keep flags", async () => {
  await using f = await fixture(2);
  await using c = await f.client();
  await c.select("INBOX");
  await c.create("Archive");
  await c.store("1", "+FLAGS", ["\\Answered"]);
  const copy = await c.command("COPY", ["1", "Archive"]);
  deepStrictEqual(copy.code?.name, "COPYUID");
  const move = await c.command("UID", ["MOVE", "2", "Archive"]);
  ok(move.untagged.some((r) => r.type === "EXPUNGE"));
  deepStrictEqual((await c.status("Archive")).MESSAGES, 2);
  const archived = await f.box.list("Archive");
  deepStrictEqual(archived.map((m) => m.flags), ["R", ""]);
});

Deno.test("IDLE sessions are woken by the folder's file-system watcher, not by polling", async () => {
  // A rescan interval of a minute: within the test only file-system events can wake them.
  await using f = await fixture(0, { pollIntervalMs: 60_000 });
  await using a = await f.client();
  await using b = await f.client();
  await a.select("INBOX");
  await b.select("INBOX");
  const idling = [a, b].map((c) => c.idle({ until: (r) => r.type === "EXISTS", timeoutMs: 5000 }));
  const other = await Maildir.open(`${f.root}/alice`); // as if another process delivered
  await other.deliver(bytes("Subject: pushed\r\n\r\nhello\r\n"));
  for (const updates of await Promise.all(idling)) {
    ok(updates.some((r) => r.type === "EXISTS" && r.number === 1), JSON.stringify(updates));
  }
});

Deno.test("the client past the connection cap is greeted with a BYE that says why", async () => {
  await using f = await fixture(0, { maxConnections: 2 });
  await using a = await f.client();
  await using b = await f.client();
  using conn = await connectLoopback(f.server.port);
  const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
  deepStrictEqual(
    (await reader.readLine())?.text,
    "* BYE Too many connections (the limit is 2), try again later",
  );
  deepStrictEqual(await reader.readLine(), null);
  await a.noop(); // the others carry on
  await b.noop();
});
