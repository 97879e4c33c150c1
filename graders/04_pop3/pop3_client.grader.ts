/**
 * Grader for the POP3 client over sockets: the learner's client downloads from the
 * course's POP3 server (lib/pop3) and from every misbehaving POP3 server of lib/misbehave,
 * and must return each message byte for byte, delete only through QUIT, and fail clearly
 * and in time where the scenario table says a client must fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Check, defineExercise } from "../../lib/grading/exercise.ts";
import {
  judgeClient,
  OUTCOME,
  scenariosFor,
  serveMisbehavingPop3,
} from "../../lib/misbehave/mod.ts";
import { MemoryStore, servePop3 } from "../../lib/pop3/mod.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import { tool, withTools } from "../../tests/tools.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_client.ts");

const DEADLINE_MS = 1000;
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const texts = (messages: readonly Uint8Array[]) => messages.map((m) => decoder.decode(m));

/** The course server with alice's mailbox: dots, a lone dot, 8-bit text, an empty body. */
export function courseServer(extra: string[] = []) {
  const store = new MemoryStore();
  const messages = [
    "Subject: one\r\n\r\nHello.\r\n",
    "Subject: dots\r\n\r\n.\r\n..two\r\n.x\r\nend\r\n",
    "Subject: =?UTF-8?B?5L2g5aW9?=\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n你好, été\r\n",
    "Subject: empty body\r\n\r\n",
    ...extra,
  ];
  for (const m of messages) store.add("alice", encoder.encode(m));
  const server = servePop3({
    store,
    users: new Map([["alice", "wonderland"]]),
    authFailureDelayMs: 10,
    idleTimeoutMs: 5000,
  });
  return { store, server, messages };
}

async function downloadsFromPoliteServer(impl: Impl): Promise<void> {
  await using polite = serveMisbehavingPop3({ scenario: "polite" });
  try {
    await impl.downloadAll(polite.port, "alice", "wonderland", { timeoutMs: DEADLINE_MS });
  } catch (error) {
    throw new Error(
      `downloadAll() must first work against a polite server before its failures count: ${
        (error as Error).message
      }`,
    );
  }
}

function scenarioCheck(name: string): Check<Impl> {
  const s = scenariosFor("pop3").find((x) => x.name === name)!;
  return {
    name: `downloadAll() against a server that ${s.does.pop3!.replace(/\.$/, "")}: ${
      s.outcome === OUTCOME.Completes
        ? "every message intact"
        : s.outcome === OUTCOME.Fails
        ? "fails clearly, in time, deleting nothing"
        : "intact or a clear failure"
    }`,
    points: 1,
    hint: `Scenario "${s.name}" (${s.rfc}): ${s.clientMust}`,
    timeoutMs: 8000,
    run: async (impl) => {
      if (s.outcome !== OUTCOME.Completes) await downloadsFromPoliteServer(impl);
      await using server = serveMisbehavingPop3({ scenario: s.name });
      const before = texts(server.mailbox.map((m) => m.bytes));
      const verdict = await judgeClient(
        server,
        "pop3",
        () =>
          impl.downloadAll(server.port, "alice", "wonderland", {
            timeoutMs: DEADLINE_MS,
            delete: true,
          }),
        { deadlineMs: DEADLINE_MS, name: "downloadAll()" },
      );
      if (verdict.ok) {
        assert.deepEqual(texts(verdict.value.messages), before, "the messages came back changed");
        assert.equal(server.quits, 1, "the session must end with QUIT");
        assert.equal(server.mailbox.length, 0, "every message was to be deleted at QUIT");
      } else {
        assert.equal(server.mailbox.length, before.length, "a failed download deleted mail");
      }
    },
  };
}

export default defineExercise<Impl>({
  title: "A POP3 client over sockets",
  hints: [
    "Three helpers make the rest short: line() reads one line with a deadline (withTimeout around reader.readLine()); status() reads a line and returns the text after '+OK' or throws on '-ERR'; body() reads lines up to '.'.",
    "Un-stuffing: a body line that starts with '.' loses exactly one '.'; the line '.' alone ends the body. Work on line.bytes, not text, to keep 8-bit bytes exact, and give every line its CRLF back.",
    "Put try/finally around everything after connecting, and conn.close() in the finally. Throw on a line that is neither '+OK' nor '-ERR'.",
    "Deletion: DELE only marks; the server removes marked messages when you send QUIT. Without QUIT nothing is removed, which is what you want after a failure.",
  ],
  checks: [
    {
      name: "downloadAll() returns STAT, LIST sizes and every message byte for byte",
      points: 3,
      hint:
        "STAT gives count and size; LIST gives 'n size' lines up to '.'; RETR n gives the message's lines up to '.', stuffed.",
      run: async (impl) => {
        const { server, messages } = courseServer();
        await using _ = server;
        const got = await impl.downloadAll(server.port, "alice", "wonderland", { timeoutMs: 2000 });
        const sizes = messages.map((m) => encoder.encode(m).length);
        assert.equal(got.count, messages.length);
        assert.equal(got.size, sizes.reduce((a, b) => a + b, 0));
        assert.deepEqual(got.sizes, sizes);
        assert.deepEqual(texts(got.messages), messages);
      },
    },
    {
      name: "without delete nothing is removed; with delete everything is, once QUIT is sent",
      points: 2,
      hint: "DELE n for each message only when options.delete is set; always end with QUIT.",
      run: async (impl) => {
        const { server, store, messages } = courseServer();
        await using _ = server;
        const ended = server.nextSessionEnd();
        await impl.downloadAll(server.port, "alice", "wonderland", { timeoutMs: 2000 });
        assert.equal((await ended).reason, "quit", "the session must end with QUIT");
        assert.equal(store.ids("alice").length, messages.length, "nothing was to be deleted");
        const second = server.nextSessionEnd();
        await impl.downloadAll(server.port, "alice", "wonderland", {
          timeoutMs: 2000,
          delete: true,
        });
        assert.deepEqual(await second, { user: "alice", reason: "quit", removed: messages.length });
        assert.equal(store.ids("alice").length, 0);
      },
    },
    {
      name: "a wrong password ends in an error that carries the server's -ERR line",
      points: 1,
      hint: "Check every status line; on '-ERR' throw an Error whose message includes the line.",
      run: async (impl) => {
        const { server } = courseServer();
        await using _ = server;
        await assert.rejects(
          impl.downloadAll(server.port, "alice", "guess", { timeoutMs: 2000 }),
          /-ERR/,
        );
      },
    },
    ...withTools(["dovecot"], [{
      name: "downloadAll() fetches every message byte for byte from Dovecot, a real POP3 server",
      points: 2,
      hint: "Nothing special for Dovecot: the same RFC 1939 dialogue, the same un-stuffing.",
      timeoutMs: 15_000,
      run: async (impl: Impl) => {
        const root = await Deno.makeTempDir({ prefix: "pop3-client-dovecot-" });
        try {
          const { messages } = courseServer();
          const box = await new MailStore(root).mailbox("alice");
          for (const m of messages) await box.deliver(encoder.encode(m));
          await using dovecot = await startDovecot({
            protocol: "pop3",
            mailRoot: root,
            users: new Map([["alice", "wonderland"]]),
            binary: tool("dovecot"),
          });
          const got = await impl.downloadAll(dovecot.port, "alice", "wonderland", {
            timeoutMs: 3000,
            delete: true,
          });
          assert.deepEqual(texts(got.messages), messages);
          const again = await impl.downloadAll(dovecot.port, "alice", "wonderland", {
            timeoutMs: 3000,
          });
          assert.equal(again.count, 0, "DELE then QUIT: Dovecot should have removed them");
        } finally {
          await Deno.remove(root, { recursive: true });
        }
      },
    }]),
    ...scenariosFor("pop3").map((s) => scenarioCheck(s.name)),
  ],
});
