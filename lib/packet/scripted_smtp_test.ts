import assert from "node:assert/strict";
import { serveLoopback } from "../net/mod.ts";
import { scriptedSmtpClient, scriptedSmtpServer } from "./scripted_smtp.ts";

Deno.test("scriptedSmtpClient() walks the scripted server through one message", async () => {
  await using server = serveLoopback(scriptedSmtpServer);
  const transcript = await scriptedSmtpClient(server.port);
  const lines = transcript.toString().split("\n");
  assert.equal(lines[0], "S: 220 mx.example.test ESMTP ready");
  assert.ok(lines.includes("C: DATA"));
  assert.ok(lines.includes("S: 250 2.0.0 Ok: queued as 1"));
  assert.equal(lines.at(-1), "S: 221 2.0.0 Bye");
});

Deno.test("scriptedSmtpServer() answers an unknown command with 502", async () => {
  await using server = serveLoopback(scriptedSmtpServer);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(new TextEncoder().encode("HELP\r\nQUIT\r\n"));
  let text = "";
  const buffer = new Uint8Array(256);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  assert.match(text, /502 5\.5\.2 Command not recognized\r\n221 2\.0\.0 Bye\r\n$/);
});
