import assert from "node:assert/strict";
import { connectLoopback, serveLoopback } from "./loopback.ts";
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
