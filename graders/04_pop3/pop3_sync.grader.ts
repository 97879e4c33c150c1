/**
 * Grader for the POP3 "leave on server" sync: the course's POP3 server serves a real
 * Maildir tree (lib/maildir), new mail arrives over SMTP, another client deletes on the
 * server; the learner's sync must download each message exactly once, by UIDL id, into a
 * local Maildir that Python's mailbox module reads back, and delete nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import { Pop3Client, servePop3 } from "../../lib/pop3/mod.ts";
import { sendMail, serveSmtp } from "../../lib/smtp/mod.ts";
import { run, tool, withTools } from "../../tests/tools.ts";
import { storedMessages } from "../03_smtp/smtp_server.grader.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_sync.ts");

const OPTIONS = { timeoutMs: 2000 };
const users = new Map([["alice", "wonderland"]]);

/** The course's SMTP and POP3 servers over one Maildir tree, and a folder for local copies. */
export async function mailSystem(initial = 3) {
  const root = await Deno.makeTempDir({ prefix: "pop3-sync-grade-" });
  const store = new MailStore(`${root}/server`);
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
    root,
    pop3,
    send,
    local: (name = "local") => `${root}/${name}/Maildir`,
    /** The server's messages as text, oldest first. */
    async onServer(): Promise<string[]> {
      const box = await store.mailbox("alice");
      const list = await box.list();
      return await Promise.all(
        list.map(async (m) => new TextDecoder().decode(await box.read(m.id))),
      );
    },
    async [Symbol.asyncDispose]() {
      await smtp.close();
      await pop3.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Sorted, for comparing sets of messages whatever order they were stored in. */
const sorted = (texts: string[]) => [...texts].sort();

const PYTHON = `
import mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key in sorted(box.keys()):
    sys.stdout.buffer.write(box.get_bytes(key) + b"\\0")
`;

export default defineExercise<Impl>({
  title: "Leave mail on the server: a POP3 sync into Maildir",
  hints: [
    "Reuse your POP3 client's helpers (line with a deadline, status, multi-line body). UIDL's listing has lines 'n id'.",
    "Keep the ids in maildir/.pop3-uidl, one per line: read it at the start (missing means empty), append an id right after its message is delivered.",
    "Message numbers change when someone deletes on the server; ids do not. Decide what to fetch by id, then RETR by that message's current number.",
    "Never send DELE. End with QUIT, and close the connection in a finally.",
  ],
  checks: [
    {
      name:
        "the first sync stores every message in the local Maildir, and the server keeps them all",
      points: 3,
      hint:
        "Deliver each message with Maildir.open(folder) then deliver(bytes); undo the byte-stuffing first. Send no DELE, end with QUIT.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const ended = mail.pop3.nextSessionEnd();
        const result = await impl.syncMaildir(
          mail.pop3.port,
          "alice",
          "wonderland",
          mail.local(),
          OPTIONS,
        );
        assert.equal((await ended).reason, "quit", "the session must end with QUIT");
        const server = await mail.onServer();
        assert.equal(server.length, 3, "the server must keep every message");
        assert.equal(result.fetched.length, 3);
        assert.deepEqual(sorted(await storedMessages(mail.local(), true)), sorted(server));
      },
    },
    {
      name: "a second sync downloads nothing; after new mail it downloads only the new message",
      points: 2,
      hint: "Skip every id already in the state file; count them in skipped.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const sync = () =>
          impl.syncMaildir(mail.pop3.port, "alice", "wonderland", mail.local(), OPTIONS);
        await sync();
        const again = await sync();
        assert.deepEqual([again.fetched.length, again.skipped], [0, 3]);
        await mail.send("Something new.");
        const third = await sync();
        assert.deepEqual([third.fetched.length, third.skipped], [1, 3]);
        assert.deepEqual(
          sorted(await storedMessages(mail.local(), true)),
          sorted(await mail.onServer()),
        );
      },
    },
    {
      name: "when another client deletes on the server (numbers shift), the sync still goes by id",
      points: 2,
      hint:
        "Message 1 today is not message 1 tomorrow. Compare ids from UIDL with the ids you stored, never numbers.",
      run: async (impl) => {
        await using mail = await mailSystem();
        const sync = () =>
          impl.syncMaildir(mail.pop3.port, "alice", "wonderland", mail.local(), OPTIONS);
        await sync();
        {
          await using other = await Pop3Client.connect(mail.pop3.port, { timeoutMs: 2000 });
          await other.login("alice", "wonderland");
          await other.dele(1);
          await other.quit();
        }
        await mail.send("Arrived after the deletion.");
        const result = await sync();
        assert.equal(result.fetched.length, 1, "only the new message is new");
        const local = await storedMessages(mail.local(), true);
        assert.equal(local.length, 4, "the local copy keeps all four messages");
        assert.ok(local.some((m) => m.includes("Arrived after the deletion.")));
      },
    },
    {
      name: "the downloaded ids live in the Maildir's state file, not in memory",
      points: 1,
      hint:
        "Two local Maildirs are two sync states: read and write maildir/.pop3-uidl, keep no module-level set.",
      run: async (impl) => {
        await using mail = await mailSystem();
        await impl.syncMaildir(
          mail.pop3.port,
          "alice",
          "wonderland",
          mail.local("laptop"),
          OPTIONS,
        );
        const phone = await impl.syncMaildir(
          mail.pop3.port,
          "alice",
          "wonderland",
          mail.local("phone"),
          OPTIONS,
        );
        assert.equal(phone.fetched.length, 3, "a second, fresh Maildir gets every message");
        const state = await Deno.readTextFile(`${mail.local("phone")}/${impl.STATE_FILE}`);
        assert.equal(
          state.split("\n").filter(Boolean).length,
          3,
          "one id per line in the state file",
        );
      },
    },
    ...withTools(["python3"], [{
      name: "Python's mailbox module reads the local Maildir: the server's messages, byte for byte",
      points: 2,
      hint:
        "Use lib/maildir's deliver(): it writes tmp/ then renames into new/, as the Maildir format asks.",
      timeoutMs: 15_000,
      run: async (impl: Impl) => {
        await using mail = await mailSystem();
        await impl.syncMaildir(mail.pop3.port, "alice", "wonderland", mail.local(), OPTIONS);
        const r = await run(tool("python3"), ["-c", PYTHON, mail.local()], { timeoutMs: 10_000 });
        assert.equal(r.code, 0, r.stderr);
        const read = r.stdout.split("\0").slice(0, -1);
        assert.deepEqual(sorted(read), sorted(await mail.onServer()));
      },
    }]),
  ],
});
