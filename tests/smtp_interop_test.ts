/**
 * Real mail software judges our SMTP code: curl, swaks and Python's smtplib send to our
 * server, and what lands in Maildir is compared byte for byte; our client sends to
 * Postfix's smtp-sink.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { freePort, startDaemon } from "../lib/daemon/mod.ts";
import { sendMail, serveSmtp } from "../lib/smtp/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

const MESSAGE = [
  "From: Al <al@pc.test>",
  "To: Bob <bob@mx.test>",
  "Subject: =?UTF-8?B?5L2g5aW9LCBCb2I=?=",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "你好, Bob.",
  ".a line that starts with a dot",
  ".",
  "..two dots",
  "last line",
  "",
].join("\r\n");
const MESSAGE_BYTES = new TextEncoder().encode(MESSAGE);

/** A server over a fresh Maildir tree in a temp folder. */
async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "smtp-interop-" });
  const store = new MailStore(root);
  const server = serveSmtp({
    store,
    users: new Map([["bob", "pw"], ["al", "pw2"]]),
    hostname: "mx.test",
    domains: ["mx.test"],
    relay: () => Promise.resolve(), // relaying exists, so only AUTH may open it
  });
  const file = `${root}/message.eml`;
  await Deno.writeFile(file, MESSAGE_BYTES);
  // swaks always sends CRLF "." CRLF after the data, so a file that already ends with
  // CRLF gains an empty line; give it the message without its last CRLF.
  const swaksFile = `${root}/message-swaks.eml`;
  await Deno.writeFile(swaksFile, MESSAGE_BYTES.subarray(0, MESSAGE_BYTES.length - 2));
  return {
    server,
    store,
    file,
    swaksFile,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/**
 * The one message in bob's INBOX, checked byte for byte: our Return-Path and Received
 * lines, then exactly what the client sent.
 */
async function assertDelivered(store: MailStore, protocol: "ESMTP" | "ESMTPA", helo: RegExp) {
  const box = await store.mailbox("bob");
  const list = await box.list();
  assert.equal(list.length, 1, "one message in bob's INBOX");
  const text = new TextDecoder().decode(await box.read(list[0].id));
  const head =
    /^Return-Path: <al@pc\.test>\r\nReceived: from (\S+) \(\[127\.0\.0\.1\]\)\r\n\tby mx\.test with (\w+) id \w+\r\n\tfor <bob@mx\.test>;\r\n\t[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r\n/
      .exec(text);
  assert.ok(head, `trace headers expected, got ${JSON.stringify(text.slice(0, 200))}`);
  assert.match(head[1], helo);
  assert.equal(head[2], protocol);
  assert.equal(text.slice(head[0].length), MESSAGE, "the message is stored exactly as sent");
}

Deno.test({
  name: "curl delivers to our server without AUTH",
  ...requireTool("curl"),
  fn: async () => {
    await using f = await fixture();
    const r = await run(tool("curl"), [
      "-sS",
      `smtp://127.0.0.1:${f.server.port}/pc.test`,
      "--mail-from",
      "al@pc.test",
      "--mail-rcpt",
      "bob@mx.test",
      "-T",
      f.file,
    ]);
    assert.equal(r.code, 0, r.stderr);
    await assertDelivered(f.store, "ESMTP", /^pc\.test$/);
  },
});

Deno.test({
  name: "curl delivers with AUTH PLAIN, and is refused relaying without it",
  ...requireTool("curl"),
  fn: async () => {
    await using f = await fixture();
    const base = [
      `smtp://127.0.0.1:${f.server.port}/pc.test`,
      "--mail-from",
      "al@pc.test",
      "-T",
      f.file,
      "-sS",
    ];
    const denied = await run(tool("curl"), [...base, "--mail-rcpt", "zed@far.test"]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /550/);
    const ok = await run(tool("curl"), [
      ...base,
      "--mail-rcpt",
      "bob@mx.test",
      "--user",
      "al:pw2",
      "--login-options",
      "AUTH=PLAIN",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    await assertDelivered(f.store, "ESMTPA", /^pc\.test$/);
  },
});

Deno.test({
  name: "swaks delivers with PIPELINING and AUTH LOGIN",
  ...requireTool("swaks"),
  fn: async () => {
    await using f = await fixture();
    const r = await run(tool("swaks"), [
      "--server",
      "127.0.0.1",
      "--port",
      String(f.server.port),
      "--helo",
      "swaks.pc.test",
      "--from",
      "al@pc.test",
      "--to",
      "bob@mx.test",
      "--data",
      f.swaksFile,
      "--pipeline",
      "--auth",
      "LOGIN",
      "--auth-user",
      "al",
      "--auth-password",
      "pw2",
      "--timeout",
      "10",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /<\*\* *250|<~ 250|<- {1,2}250 2\.0\.0 Ok: queued/);
    await assertDelivered(f.store, "ESMTPA", /^swaks\.pc\.test$/);
  },
});

Deno.test({
  name: "swaks without AUTH delivers locally and is refused relaying with 550 5.7.1",
  ...requireTool("swaks"),
  fn: async () => {
    await using f = await fixture();
    const args = [
      "--server",
      "127.0.0.1",
      "--port",
      String(f.server.port),
      "--helo",
      "pc.test",
      "--from",
      "al@pc.test",
      "--data",
      f.swaksFile,
      "--timeout",
      "10",
    ];
    const denied = await run(tool("swaks"), [...args, "--to", "zed@far.test"]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stdout, /550 5\.7\.1 <zed@far\.test>: Relay access denied/);
    const ok = await run(tool("swaks"), [...args, "--to", "bob@mx.test"]);
    assert.equal(ok.code, 0, ok.stdout);
    await assertDelivered(f.store, "ESMTP", /^pc\.test$/);
  },
});

const PYTHON = `
import smtplib, sys
port, auth, mech, path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
with smtplib.SMTP("127.0.0.1", port, local_hostname="py.pc.test", timeout=10) as s:
    if auth == "yes":
        s.user, s.password = "al", "pw2"
        s.ehlo()
        s.auth(mech, s.auth_plain if mech == "PLAIN" else s.auth_login)
    refused = s.sendmail("al@pc.test", ["bob@mx.test"], data)
    assert refused == {}, refused
    try:
        s.sendmail("al@pc.test", ["nobody@mx.test"], data)
        print("UNEXPECTED")
    except smtplib.SMTPRecipientsRefused as e:
        print("refused", e.recipients["nobody@mx.test"][0])
`;

for (const [auth, mech] of [["no", "-"], ["yes", "PLAIN"], ["yes", "LOGIN"]]) {
  Deno.test({
    name: `Python smtplib delivers ${
      auth === "yes" ? `with AUTH ${mech}` : "without AUTH"
    } and sees 550 for an unknown user`,
    ...requireTool("python3"),
    fn: async () => {
      await using f = await fixture();
      const r = await run(tool("python3"), [
        "-c",
        PYTHON,
        String(f.server.port),
        auth,
        mech,
        f.file,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "refused 550");
      await assertDelivered(f.store, auth === "yes" ? "ESMTPA" : "ESMTP", /^py\.pc\.test$/);
    },
  });
}

Deno.test({
  name: "our client delivers to Postfix's smtp-sink, pipelined, and the dump holds the message",
  ...requireTool("smtp-sink"),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "smtp-sink-" });
    await Deno.chmod(dir, 0o777); // smtp-sink drops to user nobody
    const port = freePort();
    const sink = await startDaemon({
      name: "smtp-sink",
      argv: [
        tool("smtp-sink"),
        "-u",
        "nobody",
        "-h",
        "sink.test",
        "-d",
        `${dir}/msg.`,
        `127.0.0.1:${port}`,
        "10",
      ],
      port,
      readLog: () => Promise.resolve(""),
    });
    try {
      const result = await sendMail({
        port,
        heloName: "pc.test",
        from: "al@pc.test",
        to: ["bob@mx.test", "carol@mx.test"],
        data: MESSAGE,
      });
      assert.equal(result.pipelined, true);
      assert.equal(result.roundTrips, 2);
      assert.deepEqual(result.accepted, ["bob@mx.test", "carol@mx.test"]);
      const files = [...Deno.readDirSync(dir)];
      assert.equal(files.length, 1);
      const dump = new TextDecoder().decode(await Deno.readFile(`${dir}/${files[0].name}`));
      assert.match(
        dump,
        /^X-Client-Addr: 127\.0\.0\.1\nX-Client-Proto: ESMTP\nX-Helo-Args: pc\.test\nX-Mail-Args: <al@pc\.test> BODY=8BITMIME\nX-Rcpt-Args: <bob@mx\.test>\nX-Rcpt-Args: <carol@mx\.test>\nReceived: /,
      );
      // smtp-sink writes lines with LF and un-stuffs dots; the message itself must be intact.
      assert.ok(dump.includes(MESSAGE.replaceAll("\r\n", "\n")), dump);
    } finally {
      await sink.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
