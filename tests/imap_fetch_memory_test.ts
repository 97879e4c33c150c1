/**
 * FETCH of a message whose header is two million lines: the IMAP server's peak memory
 * (`VmHWM` of the lab process, read from /proc) must follow the message's size, not
 * its number of header lines. The MIME scanner keeps byte ranges, not one object per
 * header field, and ENVELOPE and HEADER.FIELDS walk the header for the fields they name.
 *
 * Budget: 96 MiB of growth over the lab's resting peak for an 8 MiB message, fetched
 * whole, by header, as ENVELOPE, BODYSTRUCTURE and HEADER.FIELDS, and searched by
 * header fields (the message alone
 * is 8 MiB, and BODY[] and HEADER.FIELDS.NOT each send about that much). When the
 * server kept an object per header field, these FETCHes cost hundreds of MiB.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { connectLoopback, LineReader, writeAll } from "../lib/net/mod.ts";
import { startLabProcess } from "./lab_process.ts";

const MiB = 1024 * 1024;
/** Growth of the lab's peak memory allowed for this file's FETCHes. */
const BUDGET_MiB = 96;
/** Header lines of the message: "a:" CRLF, four octets each, 8 MiB in all. */
const HEADER_LINES = 2 * MiB;

const encoder = new TextEncoder();

/** The message: two million empty fields, then the fields an envelope shows, then a body. */
function hugeHeaderMessage(): Uint8Array {
  const tail = encoder.encode(
    "From: Ann <ann@example.org>\r\nSubject: many lines\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
  );
  const line = encoder.encode("a:\r\n");
  const bytes = new Uint8Array(HEADER_LINES * line.length + tail.length);
  for (let i = 0; i < HEADER_LINES; i++) bytes.set(line, i * line.length);
  bytes.set(tail, HEADER_LINES * line.length);
  return bytes;
}

/** An IMAP connection that sends commands and reads to the tagged reply, skipping literals. */
async function imapSession(port: number) {
  const conn = await connectLoopback(port);
  const reader = new LineReader(conn, { maxLineLength: 100_000, idleTimeoutMs: 120_000 });
  await reader.readLine(); // greeting
  let n = 0;
  return {
    /** Run a command; returns the untagged text (literals replaced by their size) and literal octets. */
    async run(command: string): Promise<{ text: string; octets: number }> {
      const tag = `m${++n}`;
      await writeAll(conn, encoder.encode(`${tag} ${command}\r\n`));
      let text = "";
      let octets = 0;
      while (true) {
        const line = await reader.readLine();
        assert.ok(line, `the server closed during ${command}`);
        if (line.text.startsWith(`${tag} `)) {
          assert.match(line.text, new RegExp(`^${tag} OK`), `${command}: ${line.text}`);
          return { text, octets };
        }
        text += line.text + "\n";
        const literal = /\{(\d+)\}$/.exec(line.text);
        if (!literal) continue;
        let left = Number(literal[1]);
        octets += left;
        while (left > 0) {
          if (reader.peek().length === 0) {
            assert.ok(await reader.readMore(), "the server closed inside a literal");
          }
          const take = Math.min(left, reader.peek().length);
          reader.consume(take);
          left -= take;
        }
      }
    },
    close: () => conn.close(),
  };
}

Deno.test("FETCH of an 8 MiB message of two million header lines stays within a memory budget", async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "imap-memory-" });
  try {
    // Delivered before the lab starts, so that only the IMAP server's work is measured.
    const message = hugeHeaderMessage();
    await (await new MailStore(folder).mailbox("ann")).deliver(message);
    await using lab = await startLabProcess(folder, ["ann:pw"]);
    const imap = await imapSession(lab.port("IMAP"));
    try {
      await imap.run("LOGIN ann pw");
      await imap.run("SELECT INBOX");
      const baseline = await lab.peakMiB();
      const grown = async () => (await lab.peakMiB()) - baseline;

      await t.step("BODY[] sends the whole message", async () => {
        const { octets } = await imap.run("FETCH 1 BODY.PEEK[]");
        assert.equal(octets, message.length);
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      await t.step("BODY[HEADER] sends the header", async () => {
        const { octets } = await imap.run("FETCH 1 BODY.PEEK[HEADER]");
        assert.equal(octets, message.length - "hi\r\n".length);
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      await t.step("ENVELOPE finds the fields after two million others", async () => {
        const { text } = await imap.run("FETCH 1 ENVELOPE");
        assert.match(text, /"many lines" \(\("Ann" NIL "ann" "example\.org"\)\)/);
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      await t.step("BODYSTRUCTURE describes the body", async () => {
        const { text } = await imap.run("FETCH 1 BODYSTRUCTURE");
        assert.match(
          text,
          /BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 4 1 /,
        );
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      await t.step("HEADER.FIELDS picks two fields, HEADER.FIELDS.NOT all but them", async () => {
        const { octets } = await imap.run("FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject From)]");
        assert.equal(octets, "From: Ann <ann@example.org>\r\nSubject: many lines\r\n\r\n".length);
        const not = await imap.run("FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Subject From)]");
        assert.equal(not.octets, HEADER_LINES * 4 + "Content-Type: text/plain\r\n\r\n".length);
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      await t.step("SEARCH walks the header without keeping its fields", async () => {
        const { text } = await imap.run('SEARCH SUBJECT "many lines" FROM ann');
        assert.equal(text, "* SEARCH 1\n");
        assert.ok(await grown() < BUDGET_MiB, `grew ${await grown()} MiB`);
      });
      const status = await Deno.readTextFile(`/proc/${lab.pid}/status`);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
      console.log(
        `IMAP server memory: peak ${baseline.toFixed(0)} MiB after SELECT, +${
          (await grown()).toFixed(0)
        } MiB after the FETCHes and SEARCH (budget ${BUDGET_MiB}); resident now ${
          rss.toFixed(0)
        } MiB`,
      );
      await imap.run("LOGOUT").catch(() => {});
    } finally {
      imap.close();
    }
    assert.equal((await lab.stop()).code, 0);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
