import assert from "node:assert/strict";
import { LineReader, serveLoopback, writeAll } from "../net/mod.ts";
import { Transcript } from "../transcript/transcript.ts";
import { MemoryMailStore } from "./backend.ts";
import { sendMail, SmtpClient } from "./client.ts";
import { SmtpReplyError } from "./error.ts";
import { serveSmtp } from "./server.ts";

/**
 * A scripted server: `S: text` lines are sent, `C: text` lines must arrive from the
 * client, in order (the transcript tests of Go's net/smtp).
 */
function scripted(script: string[]) {
  const seen: string[] = [];
  const server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
    const enc = new TextEncoder();
    for (let i = 0; i < script.length; i++) {
      const item = script[i];
      if (item.startsWith("S: ")) {
        let out = "";
        while (i < script.length && script[i].startsWith("S: ")) {
          out += script[i++].slice(3) + "\r\n";
        }
        i--;
        await writeAll(conn, enc.encode(out));
      } else {
        const line = await reader.readLine();
        if (line === null) return;
        seen.push(line.text);
        assert.equal(line.text, item.slice(3), `script line ${i}`);
      }
    }
  });
  return { server, seen };
}

Deno.test("SmtpClient pipelines MAIL, RCPT and DATA when offered", async () => {
  const { server, seen } = scripted([
    "S: 220 mx ready",
    "C: EHLO pc.test",
    "S: 250-mx",
    "S: 250-PIPELINING",
    "S: 250 SIZE 100",
    "C: MAIL FROM:<al@pc.test> SIZE=6",
    "C: RCPT TO:<bob@mx.test>",
    "C: RCPT TO:<eve@mx.test>",
    "C: DATA",
    "S: 250 2.1.0 Ok",
    "S: 250 2.1.5 Ok",
    "S: 550 5.1.1 No such user",
    "S: 354 go on",
    "C: ..dot",
    "C: .",
    "S: 250 2.0.0 Ok: queued",
    "C: QUIT",
    "S: 221 bye",
  ]);
  await using _ = server;
  const transcript = new Transcript();
  await using client = await SmtpClient.connect(server.port, { transcript });
  await client.ehlo("pc.test");
  const result = await client.send({
    from: "al@pc.test",
    to: ["bob@mx.test", "eve@mx.test"],
    data: ".dot\r\n",
  });
  await client.quit();
  assert.deepEqual(result.accepted, ["bob@mx.test"]);
  assert.equal(result.rejected[0].reply.code, 550);
  assert.equal(result.pipelined, true);
  assert.equal(result.roundTrips, 2);
  assert.equal(seen.length, 8);
  // MAIL, both RCPTs and DATA left in one write
  const batch = transcript.entries.find((e) =>
    e.from === "client" && new TextDecoder().decode(e.bytes).startsWith("MAIL")
  );
  assert.match(new TextDecoder().decode(batch!.bytes), /DATA\r\n$/);
});

Deno.test("SmtpClient falls back to HELO and sends one command per round trip", async () => {
  const { server } = scripted([
    "S: 220 old server",
    "C: EHLO pc",
    "S: 502 what?",
    "C: HELO pc",
    "S: 250 old",
    "C: MAIL FROM:<>",
    "S: 250 ok",
    "C: RCPT TO:<bob@mx.test>",
    "S: 250 ok",
    "C: DATA",
    "S: 354 go",
    "C: hi",
    "C: .",
    "S: 250 ok",
  ]);
  await using _ = server;
  await using client = await SmtpClient.connect(server.port);
  await client.ehlo("pc");
  const result = await client.send({ from: "", to: ["bob@mx.test"], data: "hi" });
  assert.equal(result.pipelined, false);
  assert.equal(result.roundTrips, 4);
});

Deno.test("SmtpClient errors say the step, the reply and its class", async () => {
  const { server } = scripted([
    "S: 220 mx",
    "C: EHLO pc",
    "S: 250 mx",
    "C: MAIL FROM:<al@pc.test>",
    "S: 451 4.3.0 Try again later",
  ]);
  await using _ = server;
  await using client = await SmtpClient.connect(server.port);
  await client.ehlo("pc");
  await assert.rejects(client.mail("al@pc.test"), (e) => {
    assert.ok(e instanceof SmtpReplyError);
    assert.equal(e.step, "MAIL");
    assert.ok(e.transient);
    assert.match(
      e.message,
      /MAIL FROM:<al@pc\.test>: 451 4\.3\.0 Try again later \(transient negative, transient failure: retry later\)/,
    );
    return true;
  });
});

Deno.test("SmtpClient reports a 554 greeting as a refusal", async () => {
  const { server } = scripted(["S: 554 No SMTP service here"]);
  await using _ = server;
  await assert.rejects(
    SmtpClient.connect(server.port),
    (e) => e instanceof SmtpReplyError && e.step === "greeting" && e.permanent,
  );
});

Deno.test("SmtpClient refuses arguments containing CR or LF before sending anything", async () => {
  const { server, seen } = scripted(["S: 220 mx", "C: EHLO pc", "S: 250-mx", "S: 250 AUTH PLAIN"]);
  await using _ = server;
  await using client = await SmtpClient.connect(server.port);
  await client.ehlo("pc");
  await assert.rejects(client.rcpt("bob@mx.test>\r\nRCPT TO:<eve@mx.test"), TypeError);
  await assert.rejects(client.ehlo("pc\r\nMAIL FROM:<x@y.test>"), TypeError);
  await assert.rejects(client.auth("bob", "pw\nQUIT"), TypeError);
  await assert.rejects(client.cmd("NOOP", 250, "NOOP\r\nQUIT"), TypeError);
  await assert.rejects(client.auth("bob", "pw", "LOGIN"), /offers PLAIN/);
  assert.deepEqual(seen, ["EHLO pc"]);
});

Deno.test("sendMail() authenticates with LOGIN and PLAIN against the course server", async () => {
  const store = new MemoryMailStore();
  await using server = serveSmtp({ store, users: new Map([["bob", "pw"]]), hostname: "mx.test" });
  for (const mechanism of ["PLAIN", "LOGIN"] as const) {
    const result = await sendMail({
      port: server.port,
      from: "bob@mx.test",
      to: ["bob@mx.test"],
      data: `Subject: ${mechanism}\r\n\r\nhello\r\n`,
      auth: { username: "bob", password: "pw", mechanism },
    });
    assert.equal(result.reply.code, 250);
  }
  assert.match(store.texts("bob")[1], /with ESMTPA id/);
  await assert.rejects(
    sendMail({
      port: server.port,
      from: "bob@mx.test",
      to: ["bob@mx.test"],
      data: "x",
      auth: { username: "bob", password: "no" },
    }),
    (e) => e instanceof SmtpReplyError && e.reply.code === 535,
  );
});
