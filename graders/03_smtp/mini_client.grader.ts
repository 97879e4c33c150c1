/**
 * Grader for the minimal SMTP client: the learner's client talks to the real course
 * server (lib/smtp) and to a deliberately awkward one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { LineReader, serveLoopback, writeAll } from "../../lib/net/mod.ts";
import { MemoryMailStore, serveSmtp } from "../../lib/smtp/mod.ts";
import type { Transcript } from "../../lib/transcript/transcript.ts";

type Impl = typeof import("../../exercises/03_smtp/mini_client.ts");

const MESSAGE = "From: al@pc.test\r\nTo: bob@mx.test\r\nSubject: test\r\n\r\nHello Bob.\r\n";

/** A course server with user bob, its store, and the transcripts of its connections. */
function courseServer() {
  const store = new MemoryMailStore();
  const transcripts: Transcript[] = [];
  const server = serveSmtp({
    store,
    users: new Map([["bob", "pw"]]),
    hostname: "mx.test",
    onTranscript: (t) => transcripts.push(t),
    idleTimeoutMs: 4000,
  });
  return { store, server, transcripts };
}

/** The message as stored, without our Return-Path and Received lines. */
function stored(store: MemoryMailStore): string {
  const [text] = store.texts("bob");
  assert.ok(text !== undefined, "nothing arrived in bob's mailbox");
  return text.replace(/^Return-Path: .*\r\nReceived: .*\r\n(?:\t.*\r\n)*/, "");
}

/**
 * A scripted SMTP server: `replies` by verb (a missing verb gets no reply). It records
 * every line, and whether a line arrived while it was still holding back its answer to
 * DATA (a client must wait for the 354 before it sends the message).
 */
function scripted(replies: Record<string, string>, holdDataMs = 0) {
  const received: string[] = [];
  let early: string | undefined;
  const server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn, { idleTimeoutMs: 4000 });
    const send = (text: string) => writeAll(conn, new TextEncoder().encode(text));
    await send("220 scripted.test\r\n");
    let inData = false;
    while (true) {
      const line = await reader.readLine();
      if (line === null) return;
      received.push(line.text);
      const verb = inData ? (line.text === "." ? "." : "") : line.text.slice(0, 4).toUpperCase();
      if (verb === "DATA" && holdDataMs) {
        // Anything the client sends before our answer is sent too early.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const next = reader.readLine();
        const arrived = await Promise.race([
          next,
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), holdDataMs))),
        ]);
        clearTimeout(timer);
        if (arrived) early ??= arrived.text;
        await send(replies.DATA ?? "");
        inData = replies.DATA?.startsWith("354") ?? false;
        const first = arrived ?? await next;
        if (first === null) return;
        received.push(first.text);
        if (inData && first.text === ".") {
          inData = false;
          await send(replies["."] ?? "");
        }
        continue;
      }
      if (verb === "DATA") inData = replies.DATA?.startsWith("354") ?? false;
      if (verb === ".") inData = false;
      if (replies[verb]) await send(replies[verb]);
      if (verb === "QUIT") return;
    }
  });
  return { server, received, early: () => early };
}

const HAPPY: Record<string, string> = {
  EHLO: "250 scripted.test\r\n",
  MAIL: "250 ok\r\n",
  RCPT: "250 ok\r\n",
  DATA: "354 go\r\n",
  ".": "250 2.0.0 stored\r\n",
  QUIT: "221 bye\r\n",
  RSET: "250 ok\r\n",
};

export default defineExercise<Impl>({
  title: "A minimal SMTP client",
  uses: ["lib/net/"],
  hints: [
    "Write a helper `expect(code)` that reads lines until one whose 4th character is not '-' and throws if that line does not start with the code. Call it after every command, and once for the greeting.",
    "The order is: read 220; EHLO -> 250; MAIL FROM:<from> -> 250; RCPT TO:<to> -> 250; DATA -> 354; the message lines; '.' -> 250; QUIT -> 221.",
    "For the message: drop its final \"\\r\\n\", split on \"\\r\\n\", put an extra '.' before each line starting with '.', send the lines and then a line '.'. Wrap everything after connecting in try/finally to close the connection.",
  ],
  checks: [
    {
      name: "deliver() puts the message into bob's mailbox on the course server",
      points: 3,
      hint:
        "Follow the dialogue in the exercise text; the server stores the message when it receives the '.' line.",
      run: async (impl) => {
        const { store, server } = courseServer();
        await using _ = server;
        const reply = await impl.deliver(server.port, "al@pc.test", "bob@mx.test", MESSAGE);
        assert.match(reply, /^250 /, "deliver() returns the 250 reply to the message");
        assert.equal(stored(store), MESSAGE);
      },
    },
    {
      name: "deliver() says EHLO first, gets no 503, and ends with QUIT",
      points: 2,
      hint:
        "The server answers 503 to MAIL before EHLO. After the message, send QUIT and read the 221.",
      run: async (impl) => {
        const { server, transcripts } = courseServer();
        await using _ = server;
        await impl.deliver(server.port, "al@pc.test", "bob@mx.test", MESSAGE);
        await server.close();
        const lines = transcripts[0].lines();
        const sent = lines.filter((l) => l.from === "client").map((l) => l.text);
        assert.match(sent[0], /^(EHLO|HELO) /i);
        assert.match(sent.at(-1)!, /^QUIT$/i);
        const bad = lines.find((l) => l.from === "server" && /^5\d\d/.test(l.text));
        assert.equal(bad, undefined, `the server said ${bad?.text}`);
      },
    },
    {
      name: "deliver() dot-stuffs lines that start with a dot",
      points: 3,
      hint:
        "A line '.' in the message would end DATA early; a line '.x' would lose its dot. Double the leading dot.",
      run: async (impl) => {
        const { store, server } = courseServer();
        await using _ = server;
        const message = "Subject: dots\r\n\r\n.\r\n.leading\r\n..two\r\nlast\r\n";
        await impl.deliver(server.port, "al@pc.test", "bob@mx.test", message);
        assert.equal(stored(store), message);
      },
    },
    {
      name: "deliver() throws when the server refuses the recipient",
      points: 2,
      hint:
        "Check every reply code; RCPT to an unknown user gets 550. Put the reply into the error message.",
      run: async (impl) => {
        const { store, server } = courseServer();
        await using _ = server;
        await assert.rejects(
          impl.deliver(server.port, "al@pc.test", "nobody@mx.test", MESSAGE),
          /550/,
        );
        assert.equal(store.messages("nobody").length, 0);
      },
    },
    {
      name: "deliver() throws when the server refuses the sender or the DATA command",
      points: 2,
      hint:
        "Check the code of EVERY reply: MAIL can get 550, DATA can get 554; stop there and throw with the reply in the message.",
      run: async (impl) => {
        for (
          const [verb, reply] of [["MAIL", "550 5.7.1 sender refused"], [
            "DATA",
            "554 5.5.1 no valid recipients",
          ]]
        ) {
          const { server, received } = scripted({ ...HAPPY, [verb]: `${reply}\r\n` });
          await using _ = server;
          await assert.rejects(
            impl.deliver(server.port, "al@pc.test", "bob@mx.test", MESSAGE),
            (error: unknown) => error instanceof Error && error.message.includes(reply.slice(0, 3)),
            `a ${reply.slice(0, 3)} answer to ${verb} must make deliver() throw, naming the reply`,
          );
          assert.ok(
            !received.includes("Hello Bob."),
            `after "${reply}" to ${verb}, the message must not be sent`,
          );
        }
      },
    },
    {
      name: "deliver() waits for the 354 before it sends the message",
      points: 2,
      hint:
        "After DATA, read the reply and check it is 354 before sending a single line of the message.",
      run: async (impl) => {
        const { server, early } = scripted(HAPPY, 300);
        await using _ = server;
        await impl.deliver(server.port, "al@pc.test", "bob@mx.test", MESSAGE);
        assert.equal(
          early(),
          undefined,
          `the server got ${JSON.stringify(early())} before it had answered DATA with 354`,
        );
      },
    },
    {
      name: "deliver() copes with replies that arrive a few bytes at a time",
      points: 2,
      hint:
        "Read whole lines (LineReader does the buffering), and read every line of a multi-line reply.",
      run: async (impl) => {
        const received: string[] = [];
        const replies: Record<string, string> = {
          EHLO: "250-awkward.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
          MAIL: "250 ok\r\n",
          RCPT: "250 ok\r\n",
          DATA: "354 go\r\n",
          ".": "250 2.0.0 stored\r\n",
          QUIT: "221 bye\r\n",
        };
        await using server = serveLoopback(async (conn) => {
          const send = async (text: string) => {
            const bytes = new TextEncoder().encode(text);
            for (let i = 0; i < bytes.length; i += 3) {
              await writeAll(conn, bytes.subarray(i, i + 3));
            }
          };
          const reader = new LineReader(conn, { idleTimeoutMs: 4000 });
          await send("220 awkward.test\r\n");
          let inData = false;
          while (true) {
            const line = await reader.readLine();
            if (line === null) return;
            received.push(line.text);
            const verb = inData
              ? (line.text === "." ? "." : "")
              : line.text.slice(0, 4).toUpperCase();
            if (verb === "DATA") inData = true;
            if (verb === ".") inData = false;
            if (replies[verb]) await send(replies[verb]);
            if (verb === "QUIT") return;
          }
        });
        const reply = await impl.deliver(server.port, "al@pc.test", "bob@mx.test", MESSAGE);
        assert.equal(reply, "250 2.0.0 stored");
        assert.equal(received.at(-1)?.toUpperCase(), "QUIT");
      },
    },
  ],
});
