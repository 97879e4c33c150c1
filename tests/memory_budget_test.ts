/**
 * The lab's servers under the inputs that used to cost memory per line: the peak
 * resident set of the lab process (`VmHWM`) must stay within a budget that follows the
 * size of the messages, not their number of lines.
 *
 * The budget is generous (memory is not a benchmark) but bounded: before SMTP DATA was
 * read in chunks, one message of 5 MiB of empty lines alone took the lab past 1 GB.
 */
import assert from "node:assert/strict";
import { connectLoopback, LineReader, writeAll } from "../lib/net/mod.ts";
import { RawConnection } from "../lib/smtp/mod.ts";
import { startLabProcess } from "./lab_process.ts";

const MiB = 1024 * 1024;
/** Growth of the lab's peak memory allowed for this whole file's load. */
const BUDGET_MiB = 160;
const encoder = new TextEncoder();

/** Send one message through SMTP: `body` is sent as it is, then "." CRLF. */
async function send(port: number, body: string): Promise<string> {
  await using raw = await RawConnection.open(port, { timeoutMs: 60_000 });
  await raw.readReply();
  await raw.command("EHLO memory.test");
  await raw.command("MAIL FROM:<load@memory.test>");
  await raw.command("RCPT TO:<ann@localhost>");
  await raw.command("DATA");
  await raw.write(body);
  const done = await raw.command(".");
  await raw.command("QUIT");
  return `${done.code} ${done.enhanced}`;
}

/** RETR message `n` over a raw socket; returns the octets after the +OK line, CRLF.CRLF included. */
async function retrOctets(port: number, n: number): Promise<number> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 60_000 });
  await reader.readLine();
  await writeAll(conn, encoder.encode(`USER ann\r\nPASS pw\r\nRETR ${n}\r\n`));
  for (let i = 0; i < 3; i++) assert.match((await reader.readLine())!.text, /^\+OK/);
  // Count the rest in chunks, as it comes, until the five octets CRLF "." CRLF end it.
  let octets = 0;
  let tail = "";
  while (true) {
    const chunk = reader.peek();
    octets += chunk.length;
    tail = (tail + new TextDecoder().decode(chunk.subarray(-5))).slice(-5);
    reader.consume(chunk.length);
    if (tail === "\r\n.\r\n") return octets;
    assert.ok(await reader.readMore(), "the server closed in the middle of RETR");
  }
}

Deno.test("the lab's memory follows message size, not line count (SMTP DATA, POP3 RETR)", async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "memory-" });
  try {
    await using lab = await startLabProcess(folder, ["ann:pw"]);
    const smtp = lab.port("SMTP");
    assert.equal(await send(smtp, "Subject: warm-up\r\n\r\nhi\r\n"), "250 2.0.0");
    const baseline = await lab.peakMiB();
    const grown = async () => (await lab.peakMiB()) - baseline;

    await t.step("5 MiB of empty lines (2.6 million lines) in DATA", async () => {
      assert.equal(await send(smtp, "Subject: x\r\n" + "\r\n".repeat(5 * MiB / 2)), "250 2.0.0");
      assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
    });
    await t.step("9 MiB of one-letter lines in DATA", async () => {
      assert.equal(await send(smtp, "Subject: y\r\n" + "a\r\n".repeat(9 * MiB / 3)), "250 2.0.0");
      assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
    });
    await t.step("20 connections at once, each 512 KiB of empty lines", async () => {
      const body = "Subject: z\r\n" + "\r\n".repeat(256 * 1024);
      const replies = await Promise.all(Array.from({ length: 20 }, () => send(smtp, body)));
      assert.deepEqual(new Set(replies), new Set(["250 2.0.0"]));
      assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
    });
    await t.step("POP3 RETR of the 5 MiB message of empty lines", async () => {
      const octets = await retrOctets(lab.port("POP3"), 2);
      assert.ok(octets > 5 * MiB, `only ${octets} octets`);
      assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
    });
    console.log(
      `lab peak memory: ${baseline.toFixed(0)} MiB at rest, +${
        (await grown()).toFixed(0)
      } MiB under load`,
    );
    assert.equal((await lab.stop()).code, 0);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
