/**
 * A full Postfix judges our SMTP client and server: our client delivers to Postfix,
 * Postfix delivers to Maildir, and Postfix relays to our server as its next hop. Each
 * message is compared byte for byte with what was sent.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { freePort, processesWith } from "../lib/daemon/mod.ts";
import { startPostfix } from "../lib/postfix/mod.ts";
import { sendMail, serveSmtp, SmtpReplyError } from "../lib/smtp/mod.ts";
import { Transcript } from "../lib/transcript/transcript.ts";
import { requireRoot, requireTool } from "./tools.ts";

const MESSAGE = [
  "From: Al <al@pc.test>",
  "To: Bob <bob@pf.test>",
  "Subject: =?UTF-8?B?5L2g5aW9LCBCb2I=?=",
  "Message-ID: <postfix-interop@pc.test>",
  "Date: Thu, 26 Nov 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "你好, Bob.",
  ".a line that starts with a dot",
  ".",
  "last line",
  "",
].join("\r\n");

const needs = (() => {
  const tools = requireTool("postfix", "postconf");
  return tools.ignore ? tools : requireRoot("Postfix's master process");
})();

/** A test that needs Postfix, given a fresh folder for its Maildirs, removed afterwards. */
function postfixTest(name: string, fn: (mailRoot: string) => Promise<void>) {
  Deno.test({
    name,
    ...needs,
    fn: async () => {
      const mailRoot = await Deno.makeTempDir({ prefix: "postfix-mail-" });
      try {
        await fn(mailRoot);
      } finally {
        await Deno.remove(mailRoot, { recursive: true });
      }
    },
  });
}

/** Split a delivered file into its header lines and what follows the trace headers. */
function readDelivered(bytes: Uint8Array, traceNames: string[]) {
  const text = new TextDecoder().decode(bytes);
  const lines = text.split(/(?<=\n)/);
  const trace: string[] = [];
  let i = 0;
  // Trace fields are prepended; a field's continuation lines start with white space.
  while (i < lines.length && traceNames.some((n) => lines[i].startsWith(`${n}:`))) {
    let field = lines[i++];
    while (i < lines.length && /^[ \t]/.test(lines[i])) field += lines[i++];
    trace.push(field);
  }
  return { trace, rest: lines.slice(i).join("") };
}

postfixTest(
  "our client delivers to a full Postfix, pipelined; Postfix's Maildir holds the message",
  async (mailRoot) => {
    await using postfix = await startPostfix({
      mailRoot,
      domains: ["pf.test"],
      users: ["bob", "carol"],
    });
    const transcript = new Transcript();
    const result = await sendMail({
      port: postfix.port,
      heloName: "pc.test",
      from: "al@pc.test",
      to: ["bob@pf.test", "carol@pf.test"],
      data: MESSAGE,
      transcript,
    });
    assert.equal(result.pipelined, true, "Postfix offers PIPELINING and we use it");
    assert.equal(result.roundTrips, 2, "MAIL, RCPT, RCPT, DATA in one round trip, then the body");
    assert.deepEqual(result.accepted, ["bob@pf.test", "carol@pf.test"]);
    assert.match(result.reply.lines[0], /queued as/);
    await postfix.drained();

    const store = new MailStore(mailRoot);
    for (const user of ["bob", "carol"]) {
      const box = await store.mailbox(user);
      const [info, ...more] = await box.list();
      assert.ok(info && more.length === 0, `one message for ${user}`);
      const { trace, rest } = readDelivered(await box.read(info.id), [
        "Return-Path",
        "X-Original-To",
        "Delivered-To",
        "Received",
      ]);
      assert.deepEqual(trace.slice(0, 3), [
        "Return-Path: <al@pc.test>\n",
        `X-Original-To: ${user}@pf.test\n`,
        `Delivered-To: ${user}@pf.test\n`,
      ]);
      assert.match(
        trace[3],
        /^Received: from pc\.test \(localhost \[127\.0\.0\.1\]\)\n\tby postfix\.test \(Postfix\) with ESMTP id \w+/,
      );
      // Postfix stores with LF line ends (its local convention); the text is intact.
      assert.equal(rest, MESSAGE.replaceAll("\r\n", "\n"), "the message arrives as sent");
    }
    // What went over the wire: the pipelined burst is one write of four commands.
    const sent = transcript.entries
      .filter((e) => e.from === "client")
      .map((e) => new TextDecoder().decode(e.bytes));
    const burst =
      /^MAIL FROM:<al@pc\.test>.*\r\nRCPT TO:<bob@pf\.test>\r\nRCPT TO:<carol@pf\.test>\r\nDATA\r\n$/s;
    assert.ok(sent.some((t) => burst.test(t)), `a pipelined burst in ${JSON.stringify(sent)}`);

    const running = await Promise.all(
      (await processesWith(postfix.dir)).map((pid) => Deno.readTextFile(`/proc/${pid}/comm`)),
    );
    assert.ok(running.includes("smtpd\n"), `Postfix's helpers found: ${running}`);
    await postfix.stop();
    assert.deepEqual(await processesWith(postfix.dir), [], "no Postfix process is left");
  },
);

postfixTest(
  "Postfix's refusals reach our client as clear errors: 550 5.1.1 for an unknown user",
  async (mailRoot) => {
    await using postfix = await startPostfix({ mailRoot, domains: ["pf.test"], users: ["bob"] });
    const send = (to: string[]) =>
      sendMail({
        port: postfix.port,
        heloName: "pc.test",
        from: "al@pc.test",
        to,
        data: MESSAGE,
      });
    // One good recipient and one unknown: the message goes to the good one.
    const partly = await send(["bob@pf.test", "nobody@pf.test"]);
    assert.deepEqual(partly.accepted, ["bob@pf.test"]);
    assert.equal(partly.rejected[0].address, "nobody@pf.test");
    assert.equal(partly.rejected[0].reply.code, 550);
    assert.equal(partly.rejected[0].reply.enhanced, "5.1.1");
    // No good recipient at all: an error that says what failed and that retrying won't help.
    const error = await send(["nobody@pf.test"]).then(
      () => assert.fail("expected a refusal"),
      (e) => e,
    );
    assert.ok(error instanceof SmtpReplyError, String(error));
    assert.equal(error.permanent, true);
    assert.match(error.message, /550 5\.1\.1 .*permanent failure/);
    await postfix.drained();
    const box = await new MailStore(mailRoot).mailbox("bob");
    assert.equal((await box.list()).length, 1, "bob got the partly refused message, once");
  },
);

postfixTest(
  "Postfix relays to our server as its next hop; our Received: line stands above Postfix's",
  async (mailRoot) => {
    const ourRoot = await Deno.makeTempDir({ prefix: "smtp-hop-" });
    try {
      const store = new MailStore(ourRoot);
      await using ours = serveSmtp({
        store,
        users: new Map([["dave", "pw"]]),
        hostname: "mx.test",
        domains: ["mx.test"],
      });
      await using postfix = await startPostfix({
        mailRoot,
        domains: ["pf.test"],
        users: ["bob"],
        relay: { "mx.test": ours.port },
      });
      await sendMail({
        port: postfix.port,
        heloName: "pc.test",
        from: "al@pc.test",
        to: ["dave@mx.test"],
        data: MESSAGE,
      });
      await postfix.drained();
      const box = await store.mailbox("dave");
      const [info] = await box.list();
      assert.ok(info, "Postfix passed the message on to our server");
      const { trace, rest } = readDelivered(await box.read(info.id), ["Return-Path", "Received"]);
      assert.equal(trace[0], "Return-Path: <al@pc.test>\r\n");
      assert.match(
        trace[1],
        /^Received: from postfix\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.test with ESMTP/,
      );
      assert.match(
        trace[2],
        /^Received: from pc\.test \(localhost \[127\.0\.0\.1\]\)\r?\n\tby postfix\.test \(Postfix\)/,
      );
      assert.equal(rest, MESSAGE, "Postfix sends CRLF on the wire; we store exactly that");
    } finally {
      await Deno.remove(ourRoot, { recursive: true });
    }
  },
);

postfixTest(
  "a next hop that is down: Postfix defers the message, and drained() says why at once",
  async (mailRoot) => {
    const downPort = freePort(); // nothing listens here
    await using postfix = await startPostfix({
      mailRoot,
      domains: ["pf.test"],
      users: ["bob"],
      relay: { "mx.test": downPort },
    });
    const result = await sendMail({
      port: postfix.port,
      heloName: "pc.test",
      from: "al@pc.test",
      to: ["dave@mx.test"],
      data: MESSAGE,
    });
    assert.match(result.reply.lines[0], /queued as/, "accepted: delivery is Postfix's job now");
    await assert.rejects(
      postfix.drained(),
      new RegExp(`Postfix deferred a message: .*127\\.0\\.0\\.1.*:${downPort}.*Connection refused`),
    );
  },
);
