/**
 * NOTIFY (RFC 5465) judged from outside: Python's imaplib sends NOTIFY and reads what
 * the server pushes while it sends nothing, as another program (Python itself) drops
 * messages into the Maildir; and mail delivered by our SMTP server into the same store
 * reaches an IMAP session that listens with NOTIFY.
 */
import { deepStrictEqual } from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { serveImap } from "../lib/imap/server.ts";
import { rawConnection } from "../lib/imap/wire_test_helpers.ts";
import { sendMail, serveSmtp } from "../lib/smtp/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

const USERS = new Map([["alice", "s3cret"]]);

async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "imap-notify-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  await box.createFolder("Archive");
  await box.deliver(new TextEncoder().encode("Subject: first\r\n\r\nhello\r\n"));
  const imap = serveImap({ store, users: USERS, pollIntervalMs: 60_000 });
  return {
    root,
    store,
    imap,
    async [Symbol.asyncDispose]() {
      await imap.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test({
  name: "Python's imaplib sends NOTIFY and reads the news pushed while it is silent",
  ...requireTool("python3"),
  fn: async () => {
    await using f = await fixture();
    // The rescan is a minute away: only the folders' file-system watchers can wake us.
    const script = `
import imaplib, json, os, sys, time
port, maildir = int(sys.argv[1]), sys.argv[2]
imaplib.Commands["NOTIFY"] = ("AUTH", "SELECTED")
M = imaplib.IMAP4("127.0.0.1", port)
M.sock.settimeout(10)
out = {"advertised": "NOTIFY" in M.capabilities}
M.login("alice", "s3cret")
M.select("INBOX")
typ, data = M._simple_command("NOTIFY", "SET STATUS",
    "(selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge))",
    "(mailboxes Archive (MessageNew MessageExpunge))")
out["notify"] = typ
out["status"] = [x.decode() for x in M.untagged_responses.pop("STATUS", [])]
def drop(folder, name, text):
    # What any delivery agent does: write in tmp/, rename into new/.
    with open(os.path.join(maildir, folder, "tmp", name), "w") as f:
        f.write(text)
    os.rename(os.path.join(maildir, folder, "tmp", name), os.path.join(maildir, folder, "new", name))
drop(".Archive", "1.py.localhost", "Subject: archived\\r\\n\\r\\nx\\r\\n")
out["archive"] = M.readline().decode()
drop("", "2.py.localhost", "Subject: pushed\\r\\n\\r\\nx\\r\\n")
out["inbox"] = [M.readline().decode() for _ in range(6)]
typ, data = M._simple_command("NOTIFY", "NONE")
out["none"] = typ
M.logout()
print(json.dumps(out))
`;
    const result = await run(tool("python3"), [
      "-c",
      script,
      String(f.imap.port),
      `${f.root}/alice`,
    ]);
    deepStrictEqual(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    const validity = /UIDVALIDITY (\d+)/.exec(out.status[0])?.[1];
    deepStrictEqual(out, {
      advertised: true,
      notify: "OK",
      status: [`"Archive" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${validity})`],
      archive: '* STATUS "Archive" (MESSAGES 1 UIDNEXT 2)\r\n',
      inbox: [
        "* 2 EXISTS\r\n",
        "* 2 RECENT\r\n",
        "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {19}\r\n",
        "Subject: pushed\r\n",
        "\r\n",
        ")\r\n",
      ],
      none: "OK",
    });
  },
});

Deno.test("mail delivered by our SMTP server reaches an IMAP session listening with NOTIFY", async () => {
  await using f = await fixture();
  await using smtp = serveSmtp({ store: f.store, users: USERS, hostname: "mail.test" });
  using wire = await rawConnection(f.imap.port);
  await wire.send("a LOGIN alice s3cret\r\nb NOTIFY SET (inboxes (MessageNew MessageExpunge))\r\n");
  deepStrictEqual((await wire.until("b ")).at(-1), "b OK NOTIFY completed");
  await sendMail({
    port: smtp.port,
    from: "bob@example.org",
    to: ["alice@mail.test"],
    data: "Subject: by SMTP\r\n\r\nhello\r\n",
  });
  deepStrictEqual(await wire.line(), '* STATUS "INBOX" (MESSAGES 2 UIDNEXT 3)');
  await wire.send("c LOGOUT\r\n");
  await wire.until("c ");
});
