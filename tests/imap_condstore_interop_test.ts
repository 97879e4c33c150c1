/**
 * Real clients judge our CONDSTORE and QRESYNC (RFC 7162): imapflow, a widely used
 * Node IMAP library that resynchronizes with them (`new ImapFlow({ qresync: true })`),
 * and Python's imaplib sending the raw commands.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { ImapFlow } from "imapflow";
import { MailStore } from "../lib/maildir/mod.ts";
import { serveImap } from "../lib/imap/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

const encoder = new TextEncoder();
const message = (n: number) => `Subject: Message ${n}\r\n\r\nbody ${n}\r\n`;

async function fixture(count: number) {
  const root = await Deno.makeTempDir({ prefix: "imap-condstore-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (let n = 1; n <= count; n++) await box.deliver(encoder.encode(message(n)));
  const server = serveImap({ store, users: new Map([["alice", "s3cret"]]) });
  return {
    root,
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

function client(port: number): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user: "alice", pass: "s3cret" },
    logger: false,
    qresync: true,
  });
}

Deno.test("imapflow syncs with CONDSTORE and QRESYNC: highestModseq, changedSince, VANISHED", async () => {
  await using f = await fixture(4);
  const first = client(f.server.port);
  await first.connect();
  let known: { uidValidity: bigint; highestModseq: bigint };
  try {
    ok(first.enabled.has("QRESYNC"), [...first.enabled].join(" "));
    const mailbox = await first.mailboxOpen("INBOX");
    deepStrictEqual(mailbox.highestModseq, 1n);
    known = { uidValidity: mailbox.uidValidity, highestModseq: mailbox.highestModseq };
    await first.messageFlagsAdd("2", ["\\Flagged"], { uid: true });
    const changed = [];
    for await (
      const msg of first.fetch("1:*", { uid: true, flags: true }, {
        uid: true,
        changedSince: known.highestModseq,
      })
    ) changed.push({ uid: msg.uid, flagged: msg.flags?.has("\\Flagged"), modseq: msg.modseq });
    deepStrictEqual(changed, [{ uid: 2, flagged: true, modseq: 2n }]);
    // Another client expunges; imapflow hears VANISHED, not EXPUNGE.
    const expunged: { uid?: number; vanished: boolean }[] = [];
    first.on("expunge", (event) => expunged.push({ uid: event.uid, vanished: event.vanished }));
    const second = client(f.server.port);
    await second.connect();
    await second.mailboxOpen("INBOX");
    await second.messageDelete("3", { uid: true });
    await second.logout();
    await first.noop();
    deepStrictEqual(expunged, [{ uid: 3, vanished: true }]);
    await first.messageFlagsAdd("4", ["\\Seen"], { uid: true });
  } finally {
    await first.logout();
  }
  // Later, a new connection resynchronizes in its SELECT: what vanished, what changed.
  const later = client(f.server.port);
  await later.connect();
  try {
    const vanished: number[] = [];
    const flags: { uid?: number; flags: string[]; modseq?: bigint }[] = [];
    later.on("expunge", (event) => vanished.push(event.uid ?? 0));
    later.on(
      "flags",
      (event) => flags.push({ uid: event.uid, flags: [...event.flags], modseq: event.modseq }),
    );
    const mailbox = await later.mailboxOpen("INBOX", {
      uidValidity: known.uidValidity,
      changedSince: known.highestModseq,
    });
    deepStrictEqual(vanished, [3]);
    deepStrictEqual(flags, [
      { uid: 2, flags: ["\\Flagged"], modseq: 2n },
      { uid: 4, flags: ["\\Seen"], modseq: 5n },
    ]);
    deepStrictEqual(mailbox.highestModseq, 5n);
  } finally {
    await later.logout();
  }
});

Deno.test({
  name: "Python's imaplib sends CONDSTORE and QRESYNC commands and reads the answers",
  ...requireTool("python3"),
  fn: async () => {
    await using f = await fixture(3);
    const script = `
import imaplib, sys, json
M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
M.login("alice", "s3cret")
out = {"caps": "CONDSTORE" in M.capabilities and "QRESYNC" in M.capabilities}
M.enable("QRESYNC")
out["enable"] = M.response("ENABLED")[1][0].decode()
typ, data = M.status("INBOX", "(UIDVALIDITY HIGHESTMODSEQ)")
out["status"] = data[0].decode()
uv = out["status"].split("UIDVALIDITY ")[1].split(" ")[0]
M.select("INBOX")
out["highest"] = M.response("HIGHESTMODSEQ")[1][0].decode()
typ, data = M.store("1", "+FLAGS", "(\\\\Deleted)")
out["store"] = data[0].decode()
typ, data = M._simple_command("STORE", "2", "(UNCHANGEDSINCE 1)", "+FLAGS", "(\\\\Seen)")
out["conditional"] = [d.decode() for d in M.response("FETCH")[1]]
typ, data = M._simple_command("STORE", "2", "(UNCHANGEDSINCE 1)", "+FLAGS", "(\\\\Answered)")
out["modified"] = [typ, M.response("MODIFIED")[1][0].decode()]
M.expunge()
out["vanished"] = [d.decode() for d in M.response("VANISHED")[1]]
typ, data = M.uid("FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE 1 VANISHED)")
out["changed"] = [d.decode() for d in data]
out["earlier"] = [d.decode() for d in M.response("VANISHED")[1]]
out["search"] = M.search(None, "MODSEQ", "3")[1][0].decode()
M.close()
typ, data = M._simple_command("SELECT", "INBOX", "(QRESYNC (%s 1))" % uv)
out["qresync"] = [d.decode() for d in M.response("VANISHED")[1]]
M.logout()
print(json.dumps(out))
`;
    const result = await run(tool("python3"), ["-c", script, String(f.server.port)]);
    deepStrictEqual(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    const uidValidity = /UIDVALIDITY (\d+)/.exec(out.status)![1];
    deepStrictEqual(out, {
      caps: true,
      enable: "QRESYNC",
      status: `"INBOX" (UIDVALIDITY ${uidValidity} HIGHESTMODSEQ 1)`,
      highest: "1",
      store: "1 (UID 1 FLAGS (\\Deleted \\Recent) MODSEQ (2))",
      conditional: ["2 (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (3))"],
      modified: ["OK", "2"],
      vanished: ["1"],
      changed: ["1 (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (3))"],
      earlier: ["(EARLIER) 1"],
      qresync: ["(EARLIER) 1"],
      search: "1 (MODSEQ 3)",
    });
  },
});
