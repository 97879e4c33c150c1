import assert from "node:assert/strict";
import { sendMail } from "../smtp/mod.ts";
import { Pop3Client } from "../pop3/mod.ts";
import { ImapClient } from "../imap/mod.ts";
import { scanMessage } from "../mail/mod.ts";
import { parseSection } from "../imap/section.ts";
import { sectionBytes } from "../imap/section.ts";
import { atom } from "../imap/values.ts";
import {
  judgeClient,
  type MisbehavingServer,
  type Protocol,
  type Scenario,
  scenario,
  SCENARIOS,
  scenariosFor,
  serveMisbehavingImap,
  serveMisbehavingPop3,
  serveMisbehavingSmtp,
  toBareLf,
  Wire,
} from "./mod.ts";

/** Every client below gets this deadline per step; scenarios must end well inside 3×. */
const DEADLINE_MS = 1000;
const MESSAGE =
  "From: al@pc.test\r\nTo: bob@mx.test\r\nSubject: robust\r\n\r\n.\r\n..two\r\n8-bit: \u00e9t\u00e9\r\nend\r\n";
const decoder = new TextDecoder();

type Attempt = { ok: true } | { ok: false; error: Error };

/** Run `attempt` and judge how it ended (see judge.ts). */
async function judge(
  server: MisbehavingServer,
  protocol: Protocol,
  attempt: () => Promise<void>,
): Promise<Attempt> {
  return await judgeClient(server, protocol, attempt, { deadlineMs: DEADLINE_MS });
}

Deno.test("the scenario table is complete: every scenario says what, what to do, where, how it ends", () => {
  assert.ok(SCENARIOS.length >= 13);
  for (const s of SCENARIOS) {
    assert.ok(Object.keys(s.does).length > 0, s.name);
    assert.ok(s.clientMust.length > 20, s.name);
    assert.match(s.rfc, /RFC \d+ \d/, s.name);
  }
  for (const protocol of ["smtp", "pop3", "imap"] as const) {
    assert.ok(scenariosFor(protocol).length >= 12, protocol);
  }
  assert.throws(() => scenario("nonsense"), /Cannot find scenario "nonsense"/);
});

Deno.test("Wire cuts writes into pieces and drops CRs only from text", async () => {
  const writes: number[] = [];
  const conn = { write: (b: Uint8Array) => (writes.push(b.length), Promise.resolve(b.length)) };
  await new Wire(conn, { pieces: 1 }).text("250 ok\r\n");
  assert.deepEqual(writes, [1, 1, 1, 1, 1, 1, 1, 1]);
  writes.length = 0;
  await new Wire(conn, { pieces: "random" }).raw(new Uint8Array(100));
  assert.equal(writes.reduce((a, b) => a + b, 0), 100);
  assert.ok(writes.every((n) => n >= 1 && n <= 7) && new Set(writes).size > 3);
  assert.equal(decoder.decode(toBareLf(new TextEncoder().encode("a\r\nb\rc\r\n"))), "a\nb\rc\n");
});

for (const s of scenariosFor("smtp")) {
  Deno.test(`SMTP ${s.name}: our client ${s.outcome === "fails" ? "fails clearly" : "copes"}`, async () => {
    await using server = serveMisbehavingSmtp({ scenario: s.name });
    const result = await judge(server, "smtp", async () => {
      await sendMail({
        port: server.port,
        from: "al@pc.test",
        to: ["bob@mx.test"],
        data: MESSAGE,
        timeoutMs: DEADLINE_MS,
      });
    });
    if (result.ok) {
      assert.equal(server.messages.length, 1, "delivered exactly once");
      assert.equal(decoder.decode(server.messages[0].data), MESSAGE, "delivered intact");
    } else {
      assert.equal(server.messages.length, 0, "a failed delivery stored nothing");
    }
  });
}

/** What a POP3 download must give back: every message, byte for byte. */
async function popAll(port: number): Promise<Uint8Array[]> {
  await using client = await Pop3Client.connect(port, { timeoutMs: DEADLINE_MS });
  await client.login("alice", "wonderland");
  const { count } = await client.stat();
  const out: Uint8Array[] = [];
  for (let n = 1; n <= count; n++) out.push(await client.retr(n));
  await client.dele(1);
  await client.quit();
  return out;
}

for (const s of scenariosFor("pop3")) {
  Deno.test(`POP3 ${s.name}: our client ${s.outcome === "fails" ? "fails clearly" : "copes"}`, async () => {
    await using server = serveMisbehavingPop3({ scenario: s.name });
    const before = server.mailbox.map((m) => decoder.decode(m.bytes));
    let got: Uint8Array[] = [];
    const result = await judge(server, "pop3", async () => {
      got = await popAll(server.port);
    });
    if (result.ok) {
      assert.deepEqual(got.map((m) => decoder.decode(m)), before, "every message intact");
      assert.equal(server.mailbox.length, before.length - 1, "DELE then QUIT removed one");
    } else {
      assert.equal(server.mailbox.length, before.length, "a failed session removed nothing");
    }
  });
}

for (const s of scenariosFor("imap")) {
  Deno.test(`IMAP ${s.name}: our client ${s.outcome === "fails" ? "fails clearly" : "copes"}`, async () => {
    await using server = serveMisbehavingImap({ scenario: s.name });
    const want = server.messages.map((m) => {
      const root = scanMessage(m.bytes);
      const header = sectionBytes(m.bytes, root, parseSection([atom("HEADER")]))!;
      const part = sectionBytes(m.bytes, root, parseSection([atom("1")]))!;
      return [decoder.decode(header), decoder.decode(part)];
    });
    const result = await judge(server, "imap", async () => {
      await using client = await ImapClient.connect(server.port, { timeoutMs: DEADLINE_MS });
      await client.login("alice", "wonderland");
      await client.select("INBOX");
      const fetched = await client.fetch("1:*", "(UID BODY.PEEK[HEADER] BODY.PEEK[1])");
      await client.logout();
      const bySeq = new Map<number, string[]>();
      for (const f of fetched) {
        const header = f.sections.get("BODY[HEADER]");
        const part = f.sections.get("BODY[1]");
        if (header && part) bySeq.set(f.seq, [decoder.decode(header), decoder.decode(part)]);
      }
      assert.deepEqual([...bySeq.keys()].sort(), [1, 2, 3]);
      assert.deepEqual([1, 2, 3].map((n) => bySeq.get(n)), want, "headers and parts intact");
    });
    if (result.ok) {
      assert.ok(server.messages.every((m) => !m.flags.includes("\\Seen")), "PEEK set no flag");
    }
  });
}

Deno.test("the scenarios' helpers keep what they promise", () => {
  const s: Scenario = scenario("slow-greeting");
  assert.equal(s.outcome, "completes");
});
