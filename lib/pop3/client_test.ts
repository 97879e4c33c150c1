import assert from "node:assert/strict";
import { LineReader, serveLoopback, TimeoutError, writeAll } from "../net/mod.ts";
import { Transcript } from "../transcript/transcript.ts";
import { Pop3Client, Pop3Error } from "./client.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * A scripted server: sends the greeting, then for each expected client line sends the
 * scripted answer. Records what the client sent, to compare line by line.
 */
function scripted(greeting: string, script: [string, string][]) {
  const received: string[] = [];
  const server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn);
    await writeAll(conn, encoder.encode(greeting));
    for (const [, answer] of script) {
      const line = await reader.readLine();
      if (line === null) return;
      received.push(line.text);
      if (answer) await writeAll(conn, encoder.encode(answer));
    }
    await reader.readLine();
  });
  return { server, received, expected: script.map(([line]) => line) };
}

Deno.test("Pop3Client sends each verb and parses single-line answers", async () => {
  const s = scripted("+OK ready <1.2@host>\r\n", [
    ["USER alice", "+OK\r\n"],
    ["PASS two words", "+OK in\r\n"],
    ["STAT", "+OK 2 320\r\n"],
    ["LIST 2", "+OK 2 200\r\n"],
    ["UIDL 1", "+OK 1 abc\r\n"],
    ["DELE 1", "+OK\r\n"],
    ["RSET", "+OK\r\n"],
    ["NOOP", "+OK\r\n"],
    ["QUIT", "+OK bye\r\n"],
  ]);
  await using _ = s.server;
  await using client = await Pop3Client.connect(s.server.port);
  assert.equal(client.timestamp, "<1.2@host>");
  await client.login("alice", "two words");
  assert.deepEqual(await client.stat(), { count: 2, size: 320 });
  assert.deepEqual(await client.list(2), { number: 2, value: 200 });
  assert.deepEqual(await client.uidl(1), { number: 1, value: "abc" });
  await client.dele(1);
  await client.rset();
  await client.noop();
  assert.equal((await client.quit()).text, "bye");
  assert.deepEqual(s.received, s.expected);
});

Deno.test("Pop3Client reads multi-line answers and undoes byte-stuffing", async () => {
  const s = scripted("+OK\r\n", [
    ["CAPA", "+OK\r\nTOP\r\nUIDL\r\n.\r\n"],
    ["LIST", "+OK 2 messages\r\n1 10\r\n2 20\r\n.\r\n"],
    ["UIDL", "+OK\r\n1 a\r\n2 b\r\n.\r\n"],
    ["RETR 1", "+OK\r\nSubject: x\r\n\r\n..dot\r\n..\r\n.\r\n"],
    ["TOP 1 0", "+OK\r\nSubject: x\r\n\r\n.\r\n"],
  ]);
  await using _ = s.server;
  await using client = await Pop3Client.connect(s.server.port);
  assert.deepEqual(await client.capa(), ["TOP", "UIDL"]);
  assert.deepEqual(await client.list(), [{ number: 1, value: 10 }, { number: 2, value: 20 }]);
  assert.deepEqual((await client.uidl()).map((e) => e.value), ["a", "b"]);
  assert.equal(text(await client.retr(1)), "Subject: x\r\n\r\n.dot\r\n.\r\n");
  assert.equal(text(await client.top(1, 0)), "Subject: x\r\n\r\n");
});

Deno.test("Pop3Client throws Pop3Error on -ERR, with the response code", async () => {
  const s = scripted("+OK\r\n", [["USER alice", "+OK\r\n"], [
    "PASS x",
    "-ERR [IN-USE] locked\r\n",
  ]]);
  await using _ = s.server;
  await using client = await Pop3Client.connect(s.server.port);
  await client.user("alice");
  const error = await client.pass("x").catch((e) => e);
  assert.ok(error instanceof Pop3Error);
  assert.equal(error.status.code, "IN-USE");
  assert.equal(error.command, "PASS", "the password is not repeated in the error");
  assert.match(error.message, /PASS failed: -ERR \[IN-USE\] locked/);
});

Deno.test("Pop3Client refuses arguments that would inject a command", async () => {
  const s = scripted("+OK\r\n", []);
  await using _ = s.server;
  await using client = await Pop3Client.connect(s.server.port);
  await assert.rejects(client.user("alice\r\nDELE 1"), /CR, LF or NUL/);
});

Deno.test("Pop3Client reports a -ERR greeting, a closed connection and a silent server", async () => {
  {
    const s = scripted("-ERR go away\r\n", []);
    await using _ = s.server;
    await assert.rejects(Pop3Client.connect(s.server.port), /greeting failed: -ERR go away/);
  }
  {
    await using server = serveLoopback(() => {});
    await assert.rejects(Pop3Client.connect(server.port), /server closed the connection/);
  }
  {
    const s = scripted("+OK\r\n", [["NOOP", ""]]);
    await using _ = s.server;
    await using client = await Pop3Client.connect(s.server.port, { timeoutMs: 50 });
    await assert.rejects(client.noop(), TimeoutError);
  }
});

Deno.test("Pop3Client records a transcript of both sides", async () => {
  const s = scripted("+OK hi\r\n", [["NOOP", "+OK\r\n"]]);
  await using _ = s.server;
  const transcript = new Transcript();
  await using client = await Pop3Client.connect(s.server.port, { transcript });
  await client.noop();
  assert.equal(transcript.toString(), "S: +OK hi\nC: NOOP\nS: +OK");
});
