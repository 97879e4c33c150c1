import assert from "node:assert/strict";
import { tap, Transcript } from "./transcript.ts";
import { mimeBundle } from "../viz/display.ts";
import { connectLoopback, serveLoopback } from "../net/loopback.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("Transcript.lines() regroups chunks into lines per direction", () => {
  const t = new Transcript();
  t.record("client", "server", bytes("EHLO a\r\nMAIL FR"));
  t.record("server", "client", bytes("250-hi\r\n"));
  t.record("client", "server", bytes("OM:<a@b>\r\n"));
  t.record("server", "client", bytes("250 OK\r\n"));
  assert.deepEqual(t.lines().map((l) => [l.from, l.text, l.size]), [
    ["client", "EHLO a", 8],
    ["server", "250-hi", 8],
    ["client", "MAIL FROM:<a@b>", 17],
    ["server", "250 OK", 8],
  ]);
  assert.equal(t.bytesFrom("client"), 25);
  assert.equal(t.bytesFrom(), 41);
});

Deno.test("Transcript shows itself as the RFCs print dialogues", () => {
  const t = new Transcript();
  t.record("server", "client", bytes("+OK ready\r\n"));
  t.record("client", "server", bytes("QUIT\r\n"));
  assert.equal(t.toString(), "S: +OK ready\nC: QUIT");
  const bundle = mimeBundle(t);
  assert.equal(bundle["text/plain"], "S: +OK ready\nC: QUIT");
  assert.match(String(bundle["text/html"]), /<pre>.*C: QUIT/s);
});

Deno.test("tap() records both directions of a real connection", async () => {
  await using server = serveLoopback(async (conn) => {
    const buffer = new Uint8Array(16);
    const n = await conn.read(buffer);
    await conn.write(buffer.subarray(0, n ?? 0));
  });
  const t = new Transcript();
  using raw = await connectLoopback(server.port);
  const conn = tap(raw, t, "client", "server");
  await conn.write(bytes("PING\r\n"));
  await conn.read(new Uint8Array(16));
  assert.equal(t.toString(), "C: PING\nS: PING");
  assert.equal(conn.localAddr.hostname, "127.0.0.1", "other properties pass through");
});
