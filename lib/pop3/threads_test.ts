import assert from "node:assert/strict";
import {
  AuthThrottle,
  ConnectionLimits,
  connectLoopback,
  LineReader,
  withTimeout,
} from "../net/mod.ts";
import { MailStore } from "../maildir/mod.ts";
import { Pop3Client, Pop3Error } from "./client.ts";
import type { SessionEnd } from "./server.ts";
import { InProcessLocks } from "./maildrop_locks.ts";
import { servePop3Threads, ServingThread, type ThreadedPop3Options } from "./threads.ts";

const encoder = new TextEncoder();
const USERS = new Map([["alice", "secret"], ["bob", "hunter2"]]);

/** A Maildir root with three messages for alice, and a server on two threads over it. */
async function fixture(extra: Partial<ThreadedPop3Options> = {}) {
  const root = await Deno.makeTempDir({ prefix: "pop3-threads-" });
  const box = await new MailStore(root).mailbox("alice");
  const stored: Uint8Array[] = [];
  for (const text of ["Subject: one\r\n\r\nfirst\r\n", "Subject: two\r\n\r\n.dot\r\n"]) {
    stored.push(encoder.encode(text));
    await box.deliver(stored.at(-1)!);
  }
  const ends: SessionEnd[] = [];
  const server = await servePop3Threads({
    root,
    users: USERS,
    threads: 2,
    authFailureDelayMs: 1,
    onSessionEnd: (end) => ends.push(end),
    ...extra,
  });
  return {
    server,
    stored,
    ends,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** The first line a raw connection receives. */
async function greeting(conn: Deno.TcpConn): Promise<string> {
  const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
  return (await reader.readLine())?.text ?? "";
}

Deno.test("servePop3Threads() serves the same maildrop from every thread", async () => {
  await using f = await fixture();
  assert.equal(f.server.threads, 2);
  for (let i = 0; i < 24; i++) {
    const ended = f.server.nextSessionEnd();
    await using client = await Pop3Client.connect(f.server.port);
    await client.login("alice", "secret");
    assert.deepEqual(await client.retr(2), f.stored[1], "byte-stuffing undone, bytes intact");
    await client.quit();
    await ended;
  }
  // The kernel spreads connections by a hash of the ports: 24 in a row on one thread
  // would come once in 2^23 runs.
  assert.deepEqual(new Set(f.ends.map((end) => end.thread)), new Set([0, 1]));
});

Deno.test("servePop3Threads() holds one lock per maildrop across its threads", async () => {
  await using f = await fixture();
  const holder = await Pop3Client.connect(f.server.port);
  await holder.login("alice", "secret");
  const refused: string[] = [];
  for (let i = 0; i < 20; i++) {
    await using other = await Pop3Client.connect(f.server.port);
    await other.user("alice");
    const error = await other.pass("secret").catch((error) => error);
    assert.ok(error instanceof Pop3Error);
    refused.push(error.message);
    await other.quit();
  }
  assert.ok(refused.every((message) => /\[IN-USE\]/.test(message)), refused.join("\n"));
  while (f.ends.length < refused.length) await f.server.nextSessionEnd();
  const refusedThreads = f.ends.map((end) => end.thread);
  const holderEnded = f.server.nextSessionEnd();
  await holder.quit();
  holder.close();
  const holderThread = (await holderEnded).thread;
  // Refused on the thread that did not hold the lock too: 20 on one thread in a row
  // would come once in 2^20 runs.
  assert.ok(refusedThreads.some((thread) => thread !== holderThread));
  // Released: the next login gets in, whichever thread serves it.
  await using again = await Pop3Client.connect(f.server.port);
  await again.login("alice", "secret");
  await again.quit();
});

Deno.test("servePop3Threads() counts connections for the whole server", async () => {
  await using f = await fixture({ maxConnections: 3 });
  const conns = await Promise.all(
    Array.from({ length: 10 }, () => connectLoopback(f.server.port)),
  );
  try {
    const greetings = await Promise.all(conns.map(greeting));
    // Counted on each thread, two threads would let in up to six.
    assert.equal(greetings.filter((line) => line.startsWith("+OK")).length, 3);
    assert.equal(greetings.filter((line) => line.startsWith("-ERR [SYS/TEMP]")).length, 7);
  } finally {
    for (const conn of conns) conn.close();
  }
  // Slots are given back when connections end.
  while (f.ends.length < 3) await f.server.nextSessionEnd();
  await using client = await Pop3Client.connect(f.server.port);
  await client.login("bob", "hunter2");
  await client.quit();
});

Deno.test("servePop3Threads() records wrong passwords once for all its threads", async () => {
  const delays: number[] = [];
  const authThrottle = new AuthThrottle({
    firstDelayMs: 1,
    maxDelayMs: 10_000,
    onDelay: (_, ms) => delays.push(ms),
  });
  await using f = await fixture({ authThrottle });
  for (let i = 0; i < 8; i++) {
    await using client = await Pop3Client.connect(f.server.port);
    await client.user("bob");
    await assert.rejects(client.pass("wrong"), Pop3Error);
    await client.quit();
  }
  assert.equal(authThrottle.failuresOf("127.0.0.1"), 8);
  assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 64, 128], "the delay grows across threads");
  await using client = await Pop3Client.connect(f.server.port);
  await client.login("bob", "hunter2");
  assert.equal(authThrottle.failuresOf("127.0.0.1"), 0, "a success clears the record");
  await client.quit();
});

Deno.test("servePop3Threads() closes every thread, connection and the port", async () => {
  const f = await fixture();
  const port = f.server.port;
  const idle = await connectLoopback(port);
  assert.match(await greeting(idle), /^\+OK/);
  await f[Symbol.asyncDispose]();
  // The idle connection was closed by its thread, not left open.
  // Bounded: a connection left open would otherwise hold the test up for good.
  const read = idle.read(new Uint8Array(16));
  assert.equal(await withTimeout(read, 5000, "the idle connection's close"), null);
  idle.close();
  // Nothing listens any more: the port can be taken again.
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  listener.close();
});

Deno.test("servePop3Threads() refuses a number of threads that is not a whole number of at least 1", async () => {
  for (const threads of [0, -1, 1.5, NaN]) {
    await assert.rejects(
      servePop3Threads({ root: "/nonexistent", users: USERS, threads }),
      RangeError,
    );
  }
});

Deno.test("a thread that dies gives back the locks and slots it held, and is reported", async () => {
  const limits = new ConnectionLimits({ maxConnections: 1 });
  const locks = new InProcessLocks();
  const reported = Promise.withResolvers<unknown>();
  const thread = new ServingThread(
    0,
    { limits, locks, throttle: new AuthThrottle(), onError: reported.resolve },
    () => {},
    new URL("./threads_test_worker.ts", import.meta.url),
  );
  try {
    await thread.start({
      thread: 0,
      root: "/nonexistent",
      users: [],
      port: 0,
      reusePort: false,
      maxFailuresPerSession: 3,
    });
    assert.equal(locks.acquire("alice"), false, "the worker holds alice's lock");
    assert.match(String(await reported.promise), /POP3 thread 0 stopped: .*the thread failed/);
    assert.equal(locks.acquire("alice"), true, "its lock is free again");
    assert.equal(limits.admit("127.0.0.1"), null, "and its connection slot");
  } finally {
    await thread.stop();
  }
});
