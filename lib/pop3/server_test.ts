import assert from "node:assert/strict";
import { connectLoopback, LineReader, writeAll } from "../net/mod.ts";
import { MemoryStore, type Pop3Store } from "./backend.ts";
import { MailStore } from "../maildir/mod.ts";
import { encodeMessage } from "./multiline.ts";
import { Pop3Client, Pop3Error } from "./client.ts";
import { type Pop3ServerOptions, servePop3, type SessionEnd } from "./server.ts";

const encoder = new TextEncoder();
const USERS = new Map([["alice", "secret"], ["bob", "hunter2"]]);

/** Fixture: a store with three messages for alice. */
function aliceStore(): MemoryStore {
  const store = new MemoryStore();
  store.add("alice", encoder.encode("Subject: one\r\n\r\nfirst\r\n"));
  store.add("alice", encoder.encode("Subject: two\r\n\r\n.leading dot\r\n"));
  store.add("alice", encoder.encode("Subject: three\r\n\r\nthird\r\n"));
  return store;
}

function serve(store: MemoryStore, extra: Partial<Pop3ServerOptions> = {}) {
  return servePop3({ store, users: USERS, authFailureDelayMs: 1, ...extra });
}

/** A raw connection speaking lines, for what the client refuses to send. */
async function raw(port: number) {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000, maxLineLength: 10_000 });
  return {
    conn,
    send: (text: string) => writeAll(conn, encoder.encode(text)),
    line: async () => (await reader.readLine())?.text ?? null,
    [Symbol.dispose]: () => conn.close(),
  };
}

Deno.test("servePop3() deletes only in UPDATE: a dropped connection removes nothing", async () => {
  const store = aliceStore();
  const ends: SessionEnd[] = [];
  let ended = Promise.withResolvers<void>();
  await using server = serve(store, {
    onSessionEnd: (end) => {
      ends.push(end);
      ended.resolve();
    },
  });
  {
    await using client = await Pop3Client.connect(server.port);
    await client.login("alice", "secret");
    await client.dele(1);
    await client.dele(2);
    client.close(); // no QUIT
  }
  await ended.promise;
  assert.deepEqual(ends[0], { user: "alice", reason: "dropped", removed: 0 });
  assert.equal(store.ids("alice").length, 3);
  ended = Promise.withResolvers();
  await using again = await Pop3Client.connect(server.port);
  await again.login("alice", "secret");
  assert.equal((await again.stat()).count, 3);
  await again.dele(1);
  await again.quit();
  await ended.promise;
  assert.deepEqual(ends[1], { user: "alice", reason: "quit", removed: 1 });
  assert.equal(store.ids("alice").length, 2);
});

Deno.test("servePop3() locks the maildrop: a second session gets -ERR [IN-USE]", async () => {
  await using server = serve(aliceStore());
  await using first = await Pop3Client.connect(server.port);
  await first.login("alice", "secret");
  await using second = await Pop3Client.connect(server.port);
  await second.user("alice");
  await assert.rejects(second.pass("secret"), (e: Pop3Error) => e.status.code === "IN-USE");
  // Another user is not blocked.
  await second.login("bob", "hunter2");
  assert.equal((await second.stat()).count, 0);
  await first.quit();
  await second.quit();
});

Deno.test("servePop3() answers a wrong password with -ERR [AUTH] after the delay", async () => {
  await using server = serve(aliceStore(), { authFailureDelayMs: 50 });
  await using client = await Pop3Client.connect(server.port);
  await client.user("alice");
  const started = performance.now();
  await assert.rejects(client.pass("wrong"), (e: Pop3Error) => e.status.code === "AUTH");
  assert.ok(performance.now() - started >= 45, "the reply waited for the delay");
  await client.login("alice", "secret");
  await client.quit();
});

Deno.test("servePop3() closes after three failed logins", async () => {
  await using server = serve(aliceStore());
  using c = await raw(server.port);
  assert.match((await c.line())!, /^\+OK/);
  for (let i = 0; i < 3; i++) {
    await c.send("USER alice\r\nPASS nope\r\n");
    assert.match((await c.line())!, /^\+OK/);
    assert.match((await c.line())!, /^-ERR \[AUTH\]/);
  }
  assert.equal(await c.line(), null);
});

Deno.test("servePop3() accepts APOP with MD5(timestamp + secret)", async () => {
  await using server = serve(aliceStore());
  await using client = await Pop3Client.connect(server.port);
  assert.match(client.timestamp!, /^<\d+\.\d+\.\d+@localhost>$/);
  await client.apop("alice", "secret");
  assert.equal((await client.stat()).count, 3);
  await client.quit();
  await using other = await Pop3Client.connect(server.port);
  assert.notEqual(other.timestamp, client.timestamp, "every greeting has a new timestamp");
  await assert.rejects(other.apop("alice", "wrong"), /\[AUTH\]/);
});

Deno.test("servePop3() sends the stored bytes back through RETR, byte-stuffed on the wire", async () => {
  const store = aliceStore();
  await using server = serve(store);
  using c = await raw(server.port);
  await c.line();
  await c.send("USER alice\r\nPASS secret\r\nRETR 2\r\n");
  await c.line();
  await c.line();
  assert.equal(await c.line(), "+OK 30 octets");
  assert.deepEqual([await c.line(), await c.line(), await c.line(), await c.line()], [
    "Subject: two",
    "",
    "..leading dot",
    ".",
  ]);
  await c.send("QUIT\r\n");
  assert.match((await c.line())!, /^\+OK/);
});

/** alice's store, telling when each message is read: to see what the server reads ahead. */
function watchedStore() {
  const store = aliceStore();
  const reads: string[] = [];
  const waiting = new Map<string, () => void>();
  const watched: Pop3Store = {
    async mailbox(user) {
      const box = await store.mailbox(user);
      return {
        ...box,
        read(id) {
          reads.push(id);
          waiting.get(id)?.();
          return box.read(id);
        },
      };
    },
  };
  const readsOf = (id: string) => reads.filter((read) => read === id).length;
  /** Resolves once message `id` has been read `times` times; fails if not within 5 s. */
  const readOf = (id: string, times = 1) => {
    if (readsOf(id) >= times) return Promise.resolve();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => reject(new Error(`${id} was not read ${times} times`)), 5000);
    waiting.set(id, () => {
      if (readsOf(id) < times) return;
      clearTimeout(timer);
      resolve();
    });
    return promise;
  };
  return { store: watched, ids: store.ids("alice"), reads, readOf };
}

Deno.test("servePop3() reads message n + 1 ahead after RETR n, and uses it only for the same reply", async (t) => {
  const { store, ids, reads, readOf } = watchedStore();
  await using server = servePop3({ store, users: USERS, authFailureDelayMs: 1 });
  using c = await raw(server.port);
  const lines = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await c.line());
    return out;
  };
  await c.line();
  await c.send("USER alice\r\nPASS secret\r\n");
  await lines(2);

  await t.step("message 2 is read while the client still reads message 1", async () => {
    await c.send("RETR 1\r\n");
    assert.deepEqual(await lines(5), ["+OK 23 octets", "Subject: one", "", "first", "."]);
    await readOf(ids[1]); // before RETR 2 is sent
  });

  await t.step("a DELE in between keeps it, and RETR 2 gets it without reading again", async () => {
    await c.send("DELE 1\r\nRETR 2\r\n");
    assert.deepEqual(await lines(6), [
      "+OK Message 1 marked for deletion",
      "+OK 30 octets",
      "Subject: two",
      "",
      "..leading dot",
      ".",
    ]);
    assert.deepEqual(reads.filter((id) => id === ids[1]), [ids[1]]);
  });

  await t.step("a message deleted after it was read ahead is not sent", async () => {
    await readOf(ids[2]);
    await c.send("DELE 3\r\nRETR 3\r\n");
    assert.deepEqual(await lines(2), [
      "+OK Message 3 marked for deletion",
      "-ERR Message 3 is already deleted",
    ]);
  });

  await t.step("TOP of the message read ahead sends only what TOP asks for", async () => {
    await c.send("RSET\r\nRETR 1\r\n");
    await lines(6);
    await readOf(ids[1], 2); // read ahead again, after this RETR 1
    await c.send("TOP 2 0\r\nRETR 2\r\n");
    assert.deepEqual(await lines(4), ["+OK Top of message follows", "Subject: two", "", "."]);
    assert.deepEqual(await lines(5), ["+OK 30 octets", "Subject: two", "", "..leading dot", "."]);
  });
  await c.send("QUIT\r\n");
  assert.match((await c.line())!, /^\+OK/);
});

Deno.test("servePop3() answers overlong lines and bad input with -ERR and goes on", async () => {
  await using server = serve(aliceStore());
  using c = await raw(server.port);
  await c.line();
  await c.send("USER " + "x".repeat(300) + "\r\n");
  assert.match((await c.line())!, /^-ERR Line too long: 305 bytes, the limit is 253/);
  await c.send("STAT\r\n");
  assert.equal(await c.line(), "-ERR STAT is not allowed in the AUTHORIZATION state");
  await c.send("USER alice\r\nPASS secret\r\nRETR 9\r\nFOO\r\nSTAT\r\n");
  await c.line();
  await c.line();
  assert.equal(await c.line(), "-ERR No such message 9: the maildrop has 3 messages");
  assert.equal(await c.line(), "-ERR Unknown command FOO");
  assert.equal(await c.line(), "+OK 3 78");
});

Deno.test("servePop3() answers pipelined commands in order", async () => {
  await using server = serve(aliceStore());
  using c = await raw(server.port);
  await c.line();
  await c.send("CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n");
  const lines: string[] = [];
  for (let line = await c.line(); line !== null; line = await c.line()) lines.push(line);
  assert.ok(lines.includes("PIPELINING"));
  assert.deepEqual(lines.slice(-5).map((l) => l.split(" ")[0]), [
    "+OK",
    "+OK",
    "+OK",
    "+OK",
    "+OK",
  ]);
  assert.equal(lines.at(-4), "+OK 3 78");
});

Deno.test("servePop3() says so when a listed message vanished from the store", async () => {
  const store = aliceStore();
  await using server = serve(store);
  await using client = await Pop3Client.connect(server.port);
  await client.login("alice", "secret");
  await (await store.mailbox("alice")).remove(store.ids("alice")[0]);
  await assert.rejects(client.retr(1), /Message 1 is no longer in alice's maildrop/);
  assert.equal((await client.retr(2)).length, 30);
  await client.quit();
});

Deno.test("servePop3() logs out a silent client without UPDATE", async () => {
  const store = aliceStore();
  await using server = serve(store, { idleTimeoutMs: 30 });
  using c = await raw(server.port);
  await c.line();
  await c.send("USER alice\r\nPASS secret\r\nDELE 1\r\n");
  await c.line();
  await c.line();
  await c.line();
  assert.equal(await c.line(), null, "the server closed the connection");
  assert.equal(store.ids("alice").length, 3);
});

Deno.test("servePop3() nextSessionEnd() resolves when a session ends", async () => {
  await using server = serve(aliceStore());
  const ended = server.nextSessionEnd();
  await using client = await Pop3Client.connect(server.port);
  await client.login("bob", "hunter2");
  await client.quit();
  assert.deepEqual(await ended, { user: "bob", reason: "quit", removed: 0 });
});

Deno.test("servePop3() closes every connection when closed", async () => {
  const server = serve(aliceStore());
  using c = await raw(server.port);
  await c.line();
  await server.close();
  assert.equal(await c.line(), null);
});

Deno.test("servePop3() never echoes CR or NUL: the exact bytes of the reply", async () => {
  await using server = serve(aliceStore());
  using conn = await connectLoopback(server.port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
  assert.match((await reader.readLine())!.text, /^\+OK POP3 server ready </);
  await writeAll(conn, encoder.encode("USER a\rb\0c\r\nUSER alice\r\n"));
  const refused = await reader.readLine();
  assert.equal(refused?.ending, "CRLF");
  assert.equal(
    new TextDecoder().decode(refused!.bytes),
    "-ERR Cannot parse command: it contains the control character 0x0d (RFC 1939 3: printable characters only)",
  );
  // The session goes on: the next command is answered normally.
  assert.equal((await reader.readLine())?.text, "+OK Hello alice, send PASS");
});

Deno.test("servePop3() streams RETR and TOP from a Maildir file, byte-stuffed across chunk boundaries", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MailStore(root);
    // Lines of many lengths, so that chunk boundaries fall before dots, between CR and LF...
    let text = "Subject: big\r\n\r\n";
    for (let i = 0; text.length < 300_000; i++) {
      text += ".".repeat(i % 7) + "x".repeat(i % 301) + (i % 5 ? "\r\n" : "\n");
    }
    const message = encoder.encode(text);
    await (await store.mailbox("alice")).deliver(message);
    await using server = servePop3({ store, users: USERS, authFailureDelayMs: 1 });
    using conn = await connectLoopback(server.port);
    const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
    await reader.readLine();
    await writeAll(
      conn,
      encoder.encode("USER alice\r\nPASS secret\r\nRETR 1\r\nTOP 1 3\r\nQUIT\r\n"),
    );
    for (let i = 0; i < 2; i++) assert.match((await reader.readLine())!.text, /^\+OK/);
    const readBody = async () => {
      assert.match((await reader.readLine())!.text, /^\+OK/);
      const out: number[] = [];
      while (true) {
        const line = (await reader.readLine())!;
        out.push(...line.bytes, 13, 10);
        if (line.text === ".") return Uint8Array.from(out);
      }
    };
    assert.deepEqual(await readBody(), encodeMessage(message));
    assert.deepEqual(await readBody(), encodeMessage(message, 3));
    assert.match((await reader.readLine())!.text, /^\+OK Goodbye/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("servePop3() reports nothing when a client resets the connection mid-session", async () => {
  const errors: unknown[] = [];
  await using server = serve(aliceStore(), { onError: (e) => errors.push(e) });
  const ended = server.nextSessionEnd();
  {
    using conn = await connectLoopback(server.port);
    // Commands and their replies cross: the client leaves before reading any of them.
    await writeAll(conn, encoder.encode("USER alice\r\nPASS secret\r\n" + "RETR 1\r\n".repeat(10)));
  }
  assert.equal((await ended).reason, "dropped");
  assert.deepEqual(errors, []);
});
