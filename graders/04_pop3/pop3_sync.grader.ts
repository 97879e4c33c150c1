/**
 * Grader for the POP3 "leave on server" sync: the course's POP3 server serves a real
 * Maildir tree (lib/maildir); new mail arrives over SMTP and another client deletes on
 * the server between syncs. The grader plays the mail program that calls the learner's
 * sync, keeps the ids it got and passes them back; each message must come down exactly
 * once, by UIDL id, byte for byte, and nothing may be deleted. Dovecot, a real POP3
 * server, judges too where it is installed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { chownTree, startDovecot } from "../../lib/dovecot/mod.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import { Pop3Client, servePop3 } from "../../lib/pop3/mod.ts";
import { sendMail, serveSmtp } from "../../lib/smtp/mod.ts";
import { tool, withTools } from "../../tests/tools.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_sync.ts");

const OPTIONS = { timeoutMs: 2000 };
const users = new Map([["alice", "wonderland"]]);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The server's messages by UIDL id, as our own client sees them. */
async function serverView(port: number): Promise<Map<string, string>> {
  await using client = await Pop3Client.connect(port, { timeoutMs: 3000 });
  await client.login("alice", "wonderland");
  const view = new Map<string, string>();
  for (const { number, value } of await client.uidl()) {
    view.set(value, decoder.decode(await client.retr(number)));
  }
  await client.quit();
  return view;
}

/** A mail program's memory: the ids it has, and the messages it stored. */
function mailProgram(impl: Impl, port: number) {
  const stored = new Map<string, string>();
  return {
    stored,
    async sync() {
      const result = await impl.syncNew(port, "alice", "wonderland", [...stored.keys()], OPTIONS);
      for (const { uid, bytes } of result.fetched) {
        assert.ok(!stored.has(uid), `id ${uid} was known, yet downloaded again`);
        stored.set(uid, decoder.decode(bytes));
      }
      return result;
    },
  };
}

/** The course's SMTP and POP3 servers over one Maildir tree. */
export async function mailSystem(initial = 3) {
  const root = await Deno.makeTempDir({ prefix: "pop3-sync-grade-" });
  const store = new MailStore(root);
  const smtp = serveSmtp({ store, users, hostname: "localhost", idleTimeoutMs: 5000 });
  const pop3 = servePop3({ store, users, authFailureDelayMs: 10, idleTimeoutMs: 5000 });
  let sent = 0;
  const send = async (body = "") => {
    sent++;
    await sendMail({
      port: smtp.port,
      from: "bob@example.org",
      to: ["alice@localhost"],
      data: `Subject: note ${sent}\r\n\r\n${body || `Message number ${sent}.`}\r\n.\r\n..dots\r\n`,
      timeoutMs: 3000,
    });
  };
  for (let i = 0; i < initial; i++) await send();
  return {
    pop3,
    send,
    async [Symbol.asyncDispose]() {
      await smtp.close();
      await pop3.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

export default defineExercise<Impl>({
  title: "Leave mail on the server: a POP3 sync by UIDL",
  hints: [
    "Reuse your POP3 client's helpers (a line with a deadline, a status line, a multi-line body). UIDL's listing has lines 'n id'.",
    "Decide what to fetch by id (is it in known?), then RETR by that message's number in this session's listing.",
    "gone: the known ids that the listing no longer has. skipped: the listed messages you did not fetch.",
    "Never send DELE. End with QUIT, and close the connection in a finally.",
  ],
  checks: [
    {
      name:
        "the first sync downloads every message by its UIDL id, byte for byte, and the server keeps them all",
      points: 3,
      hint:
        "Return one { uid, bytes } per message, with the id UIDL gave it; send no DELE, end with QUIT.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const program = mailProgram(impl, mail.pop3.port);
        const ended = mail.pop3.nextSessionEnd();
        const result = await program.sync();
        assert.equal((await ended).reason, "quit", "the session must end with QUIT");
        const server = await serverView(mail.pop3.port);
        assert.equal(server.size, 3, "the server must keep every message");
        assert.deepEqual(program.stored, server);
        assert.deepEqual([result.gone, result.skipped], [[], 0]);
      },
    },
    {
      name: "a second sync downloads nothing; after new mail it downloads only the new message",
      points: 2,
      hint: "Skip every listed id that is in known; count them in skipped.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const program = mailProgram(impl, mail.pop3.port);
        await program.sync();
        const again = await program.sync();
        assert.deepEqual([again.fetched.length, again.skipped], [0, 3]);
        await mail.send("Something new.");
        const third = await program.sync();
        assert.deepEqual([third.fetched.length, third.skipped], [1, 3]);
        assert.deepEqual(program.stored, await serverView(mail.pop3.port));
      },
    },
    {
      name:
        "when another client deletes on the server (numbers shift), the sync goes by id and reports what is gone",
      points: 2,
      hint:
        "Message 1 today is not message 1 tomorrow. Compare ids, never numbers; a known id missing from UIDL is gone.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const program = mailProgram(impl, mail.pop3.port);
        await program.sync();
        let deleted: string;
        {
          await using other = await Pop3Client.connect(mail.pop3.port, { timeoutMs: 2000 });
          await other.login("alice", "wonderland");
          deleted = (await other.uidl(1)).value;
          await other.dele(1);
          await other.quit();
        }
        await mail.send("Arrived after the deletion.");
        const result = await program.sync();
        assert.equal(result.fetched.length, 1, "only the new message is new");
        assert.match(decoder.decode(result.fetched[0].bytes), /Arrived after the deletion\./);
        assert.deepEqual(result.gone, [deleted]);
      },
    },
    ...withTools(["dovecot"], [{
      name:
        "against Dovecot, a real POP3 server on a Maildir, the sync gets each message once and deletes nothing",
      points: 2,
      hint: "Nothing special for Dovecot: its UIDL ids are its own, but they are ids all the same.",
      timeoutMs: 20_000,
      run: async (impl: Impl) => {
        const root = await Deno.makeTempDir({ prefix: "pop3-sync-dovecot-" });
        try {
          const box = await new MailStore(root).mailbox("alice");
          const texts = [
            "Subject: a\r\n\r\n.\r\n",
            "Subject: b\r\n\r\n..b\r\n",
            "Subject: c\r\n\r\nc\r\n",
          ];
          for (const t of texts.slice(0, 2)) await box.deliver(encoder.encode(t));
          await using dovecot = await startDovecot({
            protocol: "pop3",
            mailRoot: root,
            users,
            binary: tool("dovecot"),
          });
          const program = mailProgram(impl, dovecot.port);
          await program.sync();
          await box.deliver(encoder.encode(texts[2]));
          // Dovecot reads the tree as nobody (lib/dovecot): hand it the new file too.
          if (Deno.uid() === 0) await chownTree(root, 65534);
          const second = await program.sync();
          assert.equal(second.fetched.length, 1, "only the new message is new");
          assert.deepEqual([...program.stored.values()].sort(), texts.sort());
          assert.equal((await serverView(dovecot.port)).size, 3, "Dovecot must keep every message");
        } finally {
          await Deno.remove(root, { recursive: true });
        }
      },
    }]),
  ],
});
