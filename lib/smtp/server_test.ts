import assert from "node:assert/strict";
import { connectLoopback } from "../net/mod.ts";
import { Transcript } from "../transcript/transcript.ts";
import { MemoryMailStore } from "./backend.ts";
import { RawConnection } from "./raw.ts";
import { replyText } from "./reply.ts";
import { serveSmtp, type SmtpServerOptions } from "./server.ts";

const users = new Map([["bob", "pw"], ["carol", "secret"]]);

function start(extra: Partial<SmtpServerOptions> = {}) {
  const store = new MemoryMailStore();
  const server = serveSmtp({ store, users, hostname: "mx.test", ...extra });
  return { store, server };
}

/** Fixture: connected, greeted, after EHLO. */
async function greeted(port: number): Promise<RawConnection> {
  const raw = await RawConnection.open(port);
  assert.equal((await raw.readReply()).code, 220);
  assert.equal((await raw.command("EHLO pc.test")).code, 250);
  return raw;
}

Deno.test("serveSmtp() delivers a message with Return-Path and Received lines", async () => {
  const { store, server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  assert.equal((await raw.command("MAIL FROM:<al@pc.test>")).code, 250);
  assert.equal((await raw.command("RCPT TO:<bob@mx.test>")).code, 250);
  assert.equal((await raw.command("DATA")).code, 354);
  const done = await raw.command("Subject: hi\r\n\r\n..leading dot\r\n.");
  assert.equal(done.code, 250);
  assert.match(replyText(done), /^250 2\.0\.0 Ok: queued as \w+/);
  assert.equal((await raw.command("QUIT")).code, 221);
  assert.ok(await raw.closedByServer());
  const [text] = store.texts("bob");
  assert.match(
    text,
    /^Return-Path: <al@pc\.test>\r\nReceived: from pc\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.test with ESMTP id \w+\r\n\tfor <bob@mx\.test>;\r\n\t.+ \+0000\r\nSubject: hi\r\n\r\n\.leading dot\r\n$/,
  );
});

Deno.test("serveSmtp() answers pipelined commands in one batch, in order", async () => {
  const { store, server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.write(
    "MAIL FROM:<al@pc.test>\r\nRCPT TO:<bob@mx.test>\r\nRCPT TO:<nobody@mx.test>\r\nRCPT TO:<carol@mx.test>\r\nDATA\r\n",
  );
  const replies = await raw.readReplies(5);
  assert.deepEqual(replies.map((r) => r.code), [250, 250, 550, 250, 354]);
  assert.equal((await raw.command("x\r\n.")).code, 250);
  assert.equal(store.messages("bob").length, 1);
  assert.equal(store.messages("carol").length, 1);
});

Deno.test("serveSmtp() refuses relaying unless authenticated", async () => {
  const relayed: string[][] = [];
  const { server } = start({
    relay: (envelope) => Promise.resolve(void relayed.push(envelope.to)),
  });
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.command("MAIL FROM:<al@pc.test>");
  const denied = await raw.command("RCPT TO:<zed@far.test>");
  assert.equal(denied.code, 550);
  assert.equal(denied.enhanced, "5.7.1");
  await raw.command("RSET");
  assert.equal((await raw.command(`AUTH PLAIN ${btoa("\0bob\0pw")}`)).code, 235);
  await raw.command("MAIL FROM:<bob@mx.test>");
  assert.equal((await raw.command("RCPT TO:<zed@far.test>")).code, 250);
  await raw.command("DATA");
  assert.equal((await raw.command("Subject: out\r\n\r\nbye\r\n.")).code, 250);
  assert.deepEqual(relayed, [["zed@far.test"]]);
});

Deno.test("serveSmtp() never relays when no relay is configured, even after AUTH", async () => {
  const { server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.command(`AUTH PLAIN ${btoa("\0bob\0pw")}`);
  await raw.command("MAIL FROM:<bob@mx.test>");
  assert.equal((await raw.command("RCPT TO:<zed@far.test>")).code, 550);
});

Deno.test("serveSmtp() refuses a smuggled message and stores nothing", async () => {
  const { store, server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.command("MAIL FROM:<al@pc.test>");
  await raw.command("RCPT TO:<bob@mx.test>");
  await raw.command("DATA");
  await raw.write(
    "Subject: one\r\n\r\nhi\r\n\n.\nMAIL FROM:<admin@mx.test>\r\nRCPT TO:<bob@mx.test>\r\nDATA\r\nSubject: forged\r\n\r\n.\r\n",
  );
  const refused = await raw.readReply();
  assert.equal(refused.code, 554);
  assert.equal(refused.enhanced, "5.6.11");
  assert.ok(await raw.closedByServer());
  assert.equal(store.messages("bob").length, 0);
});

Deno.test("serveSmtp() refuses a bare LF, reads to CRLF.CRLF and carries on", async () => {
  const { store, server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.command("MAIL FROM:<al@pc.test>");
  await raw.command("RCPT TO:<bob@mx.test>");
  await raw.command("DATA");
  assert.equal((await raw.command("line one\nline two\r\n.")).code, 554);
  assert.equal((await raw.command("NOOP")).code, 250);
  assert.equal((await raw.command("RCPT TO:<bob@mx.test>")).code, 503); // the transaction is over
  assert.equal(store.messages("bob").length, 0);
});

Deno.test("serveSmtp() stores nothing when the client vanishes mid-DATA", async () => {
  const { store, server } = start();
  await using _ = server;
  {
    await using raw = await greeted(server.port);
    await raw.command("MAIL FROM:<al@pc.test>");
    await raw.command("RCPT TO:<bob@mx.test>");
    await raw.command("DATA");
    await raw.write("Subject: half\r\n\r\nand then the cable was cut\r\n");
  }
  // A second session proves the server is done with the first one.
  await using again = await greeted(server.port);
  assert.equal((await again.command("QUIT")).code, 221);
  await server.close();
  assert.equal(store.messages("bob").length, 0);
});

Deno.test("serveSmtp() enforces line length, message size and SIZE", async () => {
  const { store, server } = start({ maxMessageSize: 100 });
  await using _ = server;
  await using raw = await greeted(server.port);
  assert.equal((await raw.command("NOOP " + "x".repeat(2000))).code, 500);
  assert.equal((await raw.command("MAIL FROM:<al@pc.test> SIZE=101")).code, 552);
  await raw.command("MAIL FROM:<al@pc.test>");
  await raw.command("RCPT TO:<bob@mx.test>");
  await raw.command("DATA");
  const big = await raw.command("x".repeat(90) + "\r\n" + "y".repeat(90) + "\r\n.");
  assert.equal(big.code, 552);
  assert.equal(big.enhanced, "5.3.4");
  assert.equal(store.messages("bob").length, 0);
});

Deno.test("serveSmtp() says 421 and closes an idle connection", async () => {
  const { server } = start({ idleTimeoutMs: 100 });
  await using _ = server;
  await using raw = await greeted(server.port);
  const bye = await raw.readReply();
  assert.equal(bye.code, 421);
  assert.ok(await raw.closedByServer());
});

Deno.test("serveSmtp() turns away connections over the limit with 421", async () => {
  const { server } = start({ maxConnections: 1 });
  await using _ = server;
  await using first = await greeted(server.port);
  await using second = await RawConnection.open(server.port);
  const reply = await second.readReply();
  assert.equal(reply.code, 421);
  assert.equal((await first.command("NOOP")).code, 250);
});

Deno.test("serveSmtp() answers 451 and keeps going when the store fails", async () => {
  const errors: unknown[] = [];
  const store = {
    mailbox: () => Promise.resolve({ deliver: () => Promise.reject(new Error("disk full")) }),
  };
  await using server = serveSmtp({
    store,
    users,
    hostname: "mx.test",
    onError: (e) => errors.push(e),
  });
  await using raw = await greeted(server.port);
  await raw.command("MAIL FROM:<al@pc.test>");
  await raw.command("RCPT TO:<bob@mx.test>");
  await raw.command("DATA");
  assert.equal((await raw.command("x\r\n.")).code, 451);
  assert.equal(errors.length, 1);
  assert.equal(server.delivered, 0);
});

Deno.test("serveSmtp() records a transcript per connection and closes connections on close()", async () => {
  const transcripts: Transcript[] = [];
  const { server } = start({ onTranscript: (t) => transcripts.push(t) });
  const conn = await connectLoopback(server.port);
  try {
    const buf = new Uint8Array(100);
    await conn.read(buf);
    await server.close();
    assert.equal(await conn.read(buf), null);
  } finally {
    conn.close();
  }
  assert.match(transcripts[0].toString(), /^S: 220 mx\.test ESMTP/);
});

Deno.test("serveSmtp() reads DATA of many empty lines in chunks, then the pipelined command behind it", async () => {
  const { store, server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  await raw.command("MAIL FROM:<al@pc.test>");
  await raw.command("RCPT TO:<bob@mx.test>");
  await raw.command("DATA");
  const lines = 200_000;
  await raw.write("Subject: x\r\n" + "\r\n".repeat(lines) + "..dot\r\n.\r\nNOOP\r\n");
  const [done, noop] = await raw.readReplies(2);
  assert.match(replyText(done), /^250 2\.0\.0 Ok: queued as \w+$/);
  assert.equal(replyText(noop), "250 2.0.0 Ok");
  const [text] = store.texts("bob");
  const body = text.slice(text.indexOf("Subject: x\r\n"));
  assert.equal(body, "Subject: x\r\n" + "\r\n".repeat(lines) + ".dot\r\n");
});

Deno.test("serveSmtp() ends an AUTH exchange with 500 5.5.6 on an overlong line and reads the next line as a command", async () => {
  const { server } = start();
  await using _ = server;
  await using raw = await greeted(server.port);
  assert.equal((await raw.command("AUTH PLAIN")).code, 334);
  const tooLong = await raw.command("A".repeat(2000));
  assert.equal(replyText(tooLong), "500 5.5.6 Authentication exchange line is too long");
  assert.equal(replyText(await raw.command("NOOP")), "250 2.0.0 Ok");
  // The same in AUTH LOGIN, at the password step; then a fresh AUTH still works.
  assert.equal((await raw.command("AUTH LOGIN")).code, 334);
  assert.equal((await raw.command(btoa("bob"))).code, 334);
  assert.equal((await raw.command("B".repeat(5000))).enhanced, "5.5.6");
  assert.equal(replyText(await raw.command("NOOP")), "250 2.0.0 Ok");
  assert.equal((await raw.command(`AUTH PLAIN ${btoa("\0bob\0pw")}`)).code, 235);
});

Deno.test("serveSmtp() reports nothing when a client resets the connection mid-session", async () => {
  const errors: unknown[] = [];
  const { server } = start({ onError: (e) => errors.push(e) });
  await using _ = server;
  const raw = await greeted(server.port);
  // A whole pipelined transaction and more, then the client vanishes before reading
  // any reply: the server's first write draws a reset, its next one a broken pipe.
  await raw.write(
    "MAIL FROM:<al@pc.test>\r\nRCPT TO:<bob@mx.test>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n" +
      "NOOP\r\n".repeat(10),
  );
  raw.close();
  await using again = await greeted(server.port);
  assert.equal((await again.command("QUIT")).code, 221);
  await server.close();
  assert.deepEqual(errors, []);
});
