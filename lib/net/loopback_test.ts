import assert from "node:assert/strict";
import net from "node:net";
import type { Refusal } from "./connection_limits.ts";
import { connectLoopback, isPeerGone, serveLoopback } from "./loopback.ts";
import { LineReader } from "./line_reader.ts";
import { encodeLines, LineWriter } from "./line_writer.ts";
import { TimeoutError, withTimeout } from "./timeout.ts";

Deno.test("serveLoopback() listens on 127.0.0.1 on a port the OS chose", async () => {
  await using server = serveLoopback(() => {});
  assert.equal(server.hostname, "127.0.0.1");
  assert.ok(server.port > 0);
});

Deno.test("serveLoopback() serves lines both ways", async () => {
  await using server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn);
    const writer = new LineWriter(conn);
    for (let line = await reader.readLine(); line; line = await reader.readLine()) {
      await writer.writeLine(`+OK ${line.text}`);
    }
  });
  using conn = await connectLoopback(server.port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
  await new LineWriter(conn).writeLines(["one", "two"]);
  assert.equal((await reader.readLine())?.text, "+OK one");
  assert.equal((await reader.readLine())?.text, "+OK two");
});

Deno.test("close() ends connections still open and waits for their handlers", async () => {
  let handlerDone = false;
  let accepted!: () => void;
  const acceptedOnce = new Promise<void>((resolve) => accepted = resolve);
  const server = serveLoopback(async (conn) => {
    accepted();
    await conn.read(new Uint8Array(10)).catch(() => null); // blocks until close()
    handlerDone = true;
  });
  using conn = await connectLoopback(server.port);
  await acceptedOnce;
  assert.equal(server.connections.size, 1);
  await server.close();
  assert.ok(handlerDone);
  assert.equal(server.connections.size, 0);
  assert.equal(await conn.read(new Uint8Array(10)), null, "the client sees the close");
  await server.close(); // twice is fine
});

Deno.test("serveLoopback() turns away connections over the limit", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  await using server = serveLoopback(() => held, {
    maxConnections: 1,
    onTooManyConnections: (conn) => new LineWriter(conn).writeLine("421 too busy"),
  });
  using first = await connectLoopback(server.port);
  using second = await connectLoopback(server.port);
  assert.equal(
    (await new LineReader(second, { idleTimeoutMs: 2000 }).readLine())?.text,
    "421 too busy",
  );
  release();
  assert.ok(first);
});

/** Connect from another loopback address (all of 127.0.0.0/8 is this machine). */
function connectFrom(localAddress: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The first line a node:net socket receives. */
function firstLine(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.on("data", (chunk: Uint8Array) => {
      text += new TextDecoder().decode(chunk);
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n") + 1));
    });
    socket.once("error", reject);
  });
}

/** Wait until `ready()` holds: the server's own bookkeeping, checked every few ms. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("serveLoopback() limits connections per client address, and frees the slot at once", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  const refusals: Refusal[] = [];
  await using server = serveLoopback(async (conn) => {
    await new LineWriter(conn).writeLine("220 hello");
    await Promise.race([held, conn.read(new Uint8Array(1))]);
  }, {
    maxConnections: 10,
    maxConnectionsPerAddress: 2,
    onTooManyConnections: (conn, refusal) => {
      refusals.push(refusal);
      return new LineWriter(conn).writeLine(`421 ${refusal.kind} ${refusal.limit}`);
    },
  });
  const greeting = async (conn: Deno.Conn) =>
    (await new LineReader(conn, { idleTimeoutMs: 2000 }).readLine())?.text;
  const first = await connectLoopback(server.port);
  using second = await connectLoopback(server.port);
  using third = await connectLoopback(server.port);
  assert.equal(await greeting(first), "220 hello");
  assert.equal(await greeting(second), "220 hello");
  assert.equal(await greeting(third), "421 address 2");
  assert.deepEqual(refusals, [{ kind: "address", address: "127.0.0.1", limit: 2 }]);
  // Another address still gets in.
  const other = await connectFrom("127.0.0.2", server.port);
  assert.equal(await firstLine(other), "220 hello\r\n");
  other.destroy();
  // One of 127.0.0.1's connections ends: the next one from there is served.
  first.close();
  await until(() => server.connections.size === 1, "only the second connection is left");
  using fourth = await connectLoopback(server.port);
  assert.equal(await greeting(fourth), "220 hello");
  release();
});

Deno.test("serveLoopback() does not report a peer's reset as a failure", async () => {
  const errors: unknown[] = [];
  let reading!: () => void;
  const isReading = new Promise<void>((resolve) => reading = resolve);
  await using server = serveLoopback(async (conn) => {
    const read = conn.read(new Uint8Array(10));
    reading();
    await read; // fails with ConnectionReset
  }, { onError: (error) => errors.push(error) });
  const socket = await connectFrom("127.0.0.1", server.port);
  await isReading;
  socket.resetAndDestroy();
  await until(() => server.connections.size === 0, "the server has seen the reset");
  assert.deepEqual(errors, []);
});

Deno.test("isPeerGone() is true for the ways a peer leaves, false for our own failures", () => {
  for (
    const gone of [
      "BrokenPipe",
      "ConnectionReset",
      "ConnectionAborted",
      "NotConnected",
      "UnexpectedEof",
    ] as const
  ) {
    assert.ok(isPeerGone(new Deno.errors[gone]("x")), gone);
  }
  assert.equal(isPeerGone(new Error("boom")), false);
  assert.equal(isPeerGone(new Deno.errors.BadResource("x")), false);
});

Deno.test("connectLoopback() fails clearly when nobody listens", async () => {
  const server = serveLoopback(() => {});
  const port = server.port;
  await server.close();
  await assert.rejects(connectLoopback(port), Deno.errors.ConnectionRefused);
});

Deno.test("encodeLines() refuses CR, LF or NUL inside a line", () => {
  assert.throws(() => encodeLines(["RCPT TO:<a@b>\r\nDATA"]), /contains CR, LF or NUL/);
  assert.throws(() => encodeLines(["+OK Hello a\rb"]), /contains CR, LF or NUL/);
  assert.throws(() => encodeLines(["+OK Hello a\0b"]), /contains CR, LF or NUL/);
  assert.equal(new TextDecoder().decode(encodeLines(["a", "b"])), "a\r\nb\r\n");
});

Deno.test("withTimeout() rejects after the deadline and names the step", async () => {
  let resolve!: () => void;
  const never = new Promise<void>((r) => resolve = r);
  await assert.rejects(withTimeout(never, 10, "the peer's reply"), (error: unknown) => {
    assert.ok(error instanceof TimeoutError);
    assert.match(error.message, /Timed out after 10 ms: the peer's reply/);
    return true;
  });
  resolve();
  assert.equal(await withTimeout(Promise.resolve(7), 10, "x"), 7);
});
