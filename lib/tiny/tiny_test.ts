import assert from "node:assert/strict";
import { answer, GREETING } from "./protocol.ts";
import { serveTiny } from "./server.ts";
import { connectLoopback } from "../net/loopback.ts";
import { LineReader } from "../net/line_reader.ts";
import { LineWriter } from "../net/line_writer.ts";

const line = (text: string, ending: "CRLF" | "LF" = "CRLF") => ({
  text,
  ending,
  bytes: new Uint8Array(),
});

Deno.test("answer() follows the TINY commands", () => {
  assert.deepEqual(answer(line("echo a b")), { reply: "+OK a b", close: false });
  assert.deepEqual(answer(line("UPPER ab")), { reply: "+OK AB", close: false });
  assert.deepEqual(answer(line("TIME"), () => new Date(0)), {
    reply: "+OK 1970-01-01T00:00:00.000Z",
    close: false,
  });
  assert.deepEqual(answer(line("QUIT")), { reply: "+OK bye", close: true });
  assert.match(answer(line("HELP")).reply, /ECHO UPPER TIME HELP QUIT/);
});

Deno.test("answer() refuses bare LF, empty and unknown lines", () => {
  assert.equal(answer(line("ECHO x", "LF")).reply, "-ERR lines must end with CRLF");
  assert.equal(answer(line("")).reply, "-ERR empty line");
  assert.equal(answer(line("RETR 1")).reply, '-ERR unknown command "RETR"');
});

Deno.test("serveTiny() greets, answers, records and reports the session", async () => {
  await using server = serveTiny({ maxLineLength: 50 });
  const ended = server.nextSessionEnd();
  {
    using conn = await connectLoopback(server.port);
    const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
    const writer = new LineWriter(conn);
    assert.equal((await reader.readLine())?.text, GREETING);
    await writer.writeLine("x".repeat(80));
    assert.equal((await reader.readLine())?.text, "-ERR line too long");
    await writer.writeLine("QUIT");
    assert.equal((await reader.readLine())?.text, "+OK bye");
    assert.equal(await reader.readLine(), null, "the server closes after QUIT");
  }
  const session = await ended;
  assert.equal(session.quit, true);
  assert.equal(session.closedBy, "server");
  assert.match(
    server.transcript.toString(),
    /^S: \+OK tiny server ready\nC: x{80}\nS: -ERR line too long/,
  );
});

Deno.test("serveTiny() closes an idle client", async () => {
  await using server = serveTiny({ idleTimeoutMs: 30 });
  using conn = await connectLoopback(server.port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
  await reader.readLine();
  assert.equal((await reader.readLine())?.text, "-ERR idle too long, closing");
  assert.equal(await reader.readLine(), null);
});
