/**
 * Grader for the learner's SMTP server: real mail programs (Python's smtplib, curl, swaks)
 * and the course's own client deliver to it, pipelined and not, with dot-stuffed lines
 * and 8-bit text, and what it kept is compared byte for byte with what they sent. The
 * programs run here, on the grader's side; the learner's server runs in the grading
 * sandbox (network to 127.0.0.1 only).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Check, defineExercise } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, withTimeout, writeAll } from "../../lib/net/mod.ts";
import { ReplyCollector, sendMail } from "../../lib/smtp/mod.ts";
import { run, tool, withTools } from "../../tests/tools.ts";

type Impl = typeof import("../../exercises/03_smtp/smtp_server.ts");

const HOST = "mx.test";
/** Dot lines, a lone dot, 8-bit text: what a careless server corrupts. */
export const MESSAGE = [
  "From: Al <al@pc.test>",
  "To: Bob <bob@mx.test>",
  "Subject: =?UTF-8?B?5L2g5aW9LCBCb2I=?=",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "你好, Bob. Été.",
  ".a line that starts with a dot",
  ".",
  "..two dots",
  "last line",
  "",
].join("\r\n");
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A learner's server, closed afterwards (and a scratch folder for the judges' files). */
async function learnerServer(impl: Impl) {
  const server = await withTimeout(impl.startServer({ hostname: HOST }), 5000, "startServer()");
  const dir = await Deno.makeTempDir({ prefix: "smtp-server-grade-" });
  return {
    port: server.port,
    /** What the learner's server kept: envelopes and messages as text, trace lines dropped. */
    async kept() {
      const messages = await withTimeout(Promise.resolve(server.messages()), 5000, "messages()");
      return messages.map((m) => ({
        from: m.from,
        to: [...m.to],
        text: withoutTrace(decoder.decode(m.data)),
      }));
    },
    async stored(): Promise<string[]> {
      return (await this.kept()).map((m) => m.text);
    },
    file: `${dir}/message.eml`,
    async [Symbol.asyncDispose]() {
      try {
        await withTimeout(server.close(), 5000, "close()");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

/** Drop the trace lines a server may put above the message (RFC 5321 4.4). */
export function withoutTrace(text: string): string {
  return text.replace(/^(?:(?:Return-Path|Received):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*)+/i, "");
}

/** A scripted client: send lines, read whole replies, every step with a deadline. */
export async function rawSession(port: number) {
  const conn = await connectLoopback(port, { timeoutMs: 2000 });
  const reader = new LineReader(conn, { maxLineLength: 4096, idleTimeoutMs: 2000 });
  const reply = async () => {
    const collector = new ReplyCollector();
    while (true) {
      const line = await reader.readLine();
      if (line === null) throw new Error("the server closed the connection");
      const done = collector.push(line.text);
      if (done) return done;
    }
  };
  return {
    reply,
    send: (text: string) => writeAll(conn, encoder.encode(text)),
    closedByServer: async () => (await reader.readLine().catch(() => null)) === null,
    [Symbol.dispose]: () => conn.close(),
  };
}

const PYTHON = `
import smtplib, sys
port, path = int(sys.argv[1]), sys.argv[2]
data = open(path, "rb").read()
with smtplib.SMTP("127.0.0.1", port, local_hostname="py.pc.test", timeout=5) as s:
    assert s.sendmail("al@pc.test", ["bob@mx.test"], data) == {}
    assert s.sendmail("carol@pc.test", ["dan@mx.test", "eve@mx.test"], data.replace(b"Bob", b"Dan")) == {}
print("sent")
`;

const judged: Check<Impl>[] = [
  ...withTools(["python3"], [{
    name:
      "Python's smtplib delivers two messages on one connection; Python's mailbox reads both back",
    points: 4,
    hint:
      "After the '.' line, keep the message with its envelope and reset the transaction (sender and recipients) so the next MAIL starts afresh.",
    timeoutMs: 15_000,
    run: async (impl: Impl) => {
      await using server = await learnerServer(impl);
      await Deno.writeTextFile(server.file, MESSAGE);
      const r = await run(tool("python3"), ["-c", PYTHON, String(server.port), server.file], {
        timeoutMs: 12_000,
      });
      assert.equal(r.code, 0, `smtplib failed: ${r.stderr.trim().split("\n").at(-1)}`);
      assert.deepEqual(await server.kept(), [
        { from: "al@pc.test", to: ["bob@mx.test"], text: MESSAGE },
        {
          from: "carol@pc.test",
          to: ["dan@mx.test", "eve@mx.test"],
          text: MESSAGE.replaceAll("Bob", "Dan"),
        },
      ]);
    },
  }]),
  ...withTools(["curl"], [{
    name: "curl delivers a message with dot lines and 8-bit text; it is kept byte for byte",
    points: 3,
    hint:
      "A line starting with '.' arrives with one more dot: remove exactly one. Only the line '.' alone ends the message.",
    timeoutMs: 15_000,
    run: async (impl: Impl) => {
      await using server = await learnerServer(impl);
      await Deno.writeTextFile(server.file, MESSAGE);
      const r = await run(tool("curl"), [
        "-sS",
        "--max-time",
        "10",
        `smtp://127.0.0.1:${server.port}/pc.test`,
        "--mail-from",
        "al@pc.test",
        "--mail-rcpt",
        "bob@mx.test",
        "-T",
        server.file,
      ]);
      assert.equal(r.code, 0, `curl failed: ${r.stderr.trim()}`);
      assert.deepEqual(await server.stored(), [MESSAGE]);
    },
  }]),
  ...withTools(["swaks"], [{
    name: "swaks delivers with PIPELINING (its commands arrive together); kept byte for byte",
    points: 3,
    hint:
      "Advertise PIPELINING in your EHLO reply, then answer each command of a batch in order: a LineReader keeps what arrived early for the next readLine().",
    timeoutMs: 15_000,
    run: async (impl: Impl) => {
      await using server = await learnerServer(impl);
      // swaks ends the data with CRLF "." CRLF itself: give it the message without its last CRLF.
      await Deno.writeTextFile(server.file, MESSAGE.slice(0, -2));
      const r = await run(tool("swaks"), [
        "--server",
        "127.0.0.1",
        "--port",
        String(server.port),
        "--helo",
        "swaks.pc.test",
        "--from",
        "al@pc.test",
        "--to",
        "bob@mx.test",
        "--data",
        server.file,
        "--pipeline",
        "--timeout",
        "10",
      ]);
      assert.equal(r.code, 0, `swaks failed:\n${r.stdout.split("\n").slice(-8).join("\n")}`);
      assert.doesNotMatch(r.stdout, /does not support pipelining|PIPELINING not advertised/i);
      assert.deepEqual(await server.stored(), [MESSAGE]);
    },
  }]),
];

export default defineExercise<Impl>({
  title: "An SMTP server of your own",
  hints: [
    "Start from serveLoopback(async (conn) => {...}): greet, then loop over reader.readLine() until it returns null or the client says QUIT.",
    "Keep the transaction in one object {from, to} and reset it in one place: after each stored message, on RSET, on EHLO.",
    "In DATA, read lines until the line is exactly '.'; a line starting with '.' loses its first dot; join the lines with CRLF (each line gets its CRLF back), and keep the message with a copy of its envelope.",
    "Sequencing: MAIL needs EHLO/HELO first, RCPT needs MAIL, DATA needs at least one accepted RCPT; otherwise 503. Anything unknown: 500.",
  ],
  checks: [
    ...judged,
    {
      name: "the course's client pipelines MAIL, RCPT and DATA to your server and delivers",
      points: 3,
      hint:
        "Advertise PIPELINING and answer pipelined commands in order; a refused recipient in the batch gets 550 while the others go on.",
      run: async (impl) => {
        await using server = await learnerServer(impl);
        const result = await sendMail({
          port: server.port,
          from: "al@pc.test",
          to: ["bob@mx.test", "zed@far.test", "carol@mx.test"],
          data: MESSAGE,
          timeoutMs: 3000,
        });
        assert.equal(result.pipelined, true, "your EHLO reply should list PIPELINING");
        assert.deepEqual(result.accepted, ["bob@mx.test", "carol@mx.test"]);
        assert.equal(result.rejected[0]?.reply.code, 550, "relaying to far.test must be refused");
        assert.deepEqual(await server.kept(), [
          { from: "al@pc.test", to: ["bob@mx.test", "carol@mx.test"], text: MESSAGE },
        ]);
      },
    },
    {
      name: "commands out of order get 503, unknown ones 500 or 502, and the session goes on",
      points: 2,
      hint:
        "Check the state before acting: MAIL needs EHLO first, RCPT needs MAIL, DATA needs RCPT. Never close on an unknown command (RFC 5321 3.8).",
      run: async (impl) => {
        await using server = await learnerServer(impl);
        using s = await rawSession(server.port);
        assert.equal((await s.reply()).code, 220, "greet with 220");
        await s.send("MAIL FROM:<al@pc.test>\r\n");
        assert.equal((await s.reply()).code, 503, "MAIL before EHLO");
        await s.send("EHLO pc.test\r\n");
        const ehlo = await s.reply();
        assert.equal(ehlo.code, 250);
        assert.ok(ehlo.lines.length > 1, "the EHLO reply lists extensions on more lines");
        await s.send("RCPT TO:<bob@mx.test>\r\n");
        assert.equal((await s.reply()).code, 503, "RCPT before MAIL");
        await s.send("DATA\r\n");
        assert.equal((await s.reply()).code, 503, "DATA before MAIL and RCPT");
        await s.send("FROB nicate\r\n");
        assert.ok([500, 502].includes((await s.reply()).code), "an unknown command");
        await s.send("MAIL FROM:<al@pc.test>\r\n");
        assert.equal((await s.reply()).code, 250);
        await s.send("DATA\r\n");
        assert.equal((await s.reply()).code, 503, "DATA with no accepted recipient");
        await s.send("RSET\r\nNOOP\r\n");
        assert.equal((await s.reply()).code, 250, "RSET");
        assert.equal((await s.reply()).code, 250, "NOOP");
      },
    },
    {
      name: "QUIT gets 221, then your server closes the connection",
      points: 1,
      hint: "After writing 221, return from the connection handler: serveLoopback closes it.",
      run: async (impl) => {
        await using server = await learnerServer(impl);
        using s = await rawSession(server.port);
        await s.reply();
        await s.send("QUIT\r\n");
        assert.equal((await s.reply()).code, 221);
        assert.ok(await s.closedByServer(), "the connection stays open after 221");
      },
    },
  ],
});
