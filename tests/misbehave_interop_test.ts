/**
 * Real clients meet the misbehaving servers: Python's smtplib, poplib and imaplib and curl
 * play every scenario, and end as the scenario table says an RFC-correct client ends.
 */
import assert from "node:assert/strict";
import { withTimeout } from "../lib/net/mod.ts";
import {
  OUTCOME,
  type Protocol,
  scenariosFor,
  serveMisbehavingImap,
  serveMisbehavingPop3,
  serveMisbehavingSmtp,
} from "../lib/misbehave/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

const DEADLINE_MS = 1000;
const MESSAGE =
  "From: al@pc.test\r\nTo: bob@mx.test\r\nSubject: robust\r\n\r\n.\r\n..two\r\n8-bit: \u00e9t\u00e9\r\nend\r\n";
const decoder = new TextDecoder();

/** Run one Python script with the port as its argument; exit 0 means it completed. */
async function python(script: string, port: number): Promise<{ ok: boolean; out: string }> {
  const out = await run(tool("python3"), ["-c", script, String(port)], { timeoutMs: 10_000 });
  return { ok: out.success, out: out.stdout + out.stderr };
}

const PYTHON: Record<Protocol, string> = {
  smtp: `
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=${DEADLINE_MS / 1000})
s.sendmail("al@pc.test", ["bob@mx.test"], ${JSON.stringify(MESSAGE)}.encode())
s.quit()
`,
  pop3: `
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=${DEADLINE_MS / 1000})
p.user("alice"); p.pass_("wonderland")
n = p.stat()[0]
for i in range(1, n + 1):
    sys.stdout.buffer.write(b"\\r\\n".join(p.retr(i)[1]) + b"\\r\\n\\0")
p.quit()
`,
  imap: `
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=${DEADLINE_MS / 1000})
m.login("alice", "wonderland")
m.select("INBOX")
typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER] BODY.PEEK[1])")
assert typ == "OK", typ
m.logout()
`,
};

for (const protocol of ["smtp", "pop3", "imap"] as const) {
  Deno.test({
    name:
      `Python's ${protocol}lib meets every ${protocol.toUpperCase()} scenario as the table says`,
    ...requireTool("python3"),
    fn: async (t) => {
      for (const s of scenariosFor(protocol)) {
        await t.step(s.name, async () => {
          const serve = {
            smtp: serveMisbehavingSmtp,
            pop3: serveMisbehavingPop3,
            imap: serveMisbehavingImap,
          }[protocol];
          await using server = serve({ scenario: s.name });
          const result = await python(PYTHON[protocol], server.port);
          if (s.outcome === OUTCOME.Completes) assert.ok(result.ok, result.out);
          if (s.outcome === OUTCOME.Fails) {
            assert.ok(!result.ok, `expected a failure: ${result.out}`);
          }
          await withTimeout(server.settled(), DEADLINE_MS, "python to close its connection");
          if (protocol === "smtp" && result.ok) {
            const sent = (server as ReturnType<typeof serveMisbehavingSmtp>).messages;
            assert.equal(decoder.decode(sent[0].data), MESSAGE);
          }
          if (protocol === "pop3" && result.ok) {
            const mailbox = (server as ReturnType<typeof serveMisbehavingPop3>).mailbox;
            assert.equal(result.out, mailbox.map((m) => decoder.decode(m.bytes) + "\0").join(""));
          }
        });
      }
    },
  });
}

Deno.test({
  name: "curl meets every SMTP scenario as the table says",
  ...requireTool("curl"),
  fn: async (t) => {
    const file = await Deno.makeTempFile({ prefix: "misbehave-curl-" });
    try {
      await Deno.writeTextFile(file, MESSAGE);
      for (const s of scenariosFor("smtp")) {
        await t.step(s.name, async () => {
          await using server = serveMisbehavingSmtp({ scenario: s.name });
          const result = await run(tool("curl"), [
            "-sS",
            "--max-time",
            "3",
            `smtp://127.0.0.1:${server.port}/pc.test`,
            "--mail-from",
            "al@pc.test",
            "--mail-rcpt",
            "bob@mx.test",
            "-T",
            file,
          ]);
          if (s.outcome === OUTCOME.Completes) assert.equal(result.code, 0, result.stderr);
          if (s.outcome === OUTCOME.Fails) assert.notEqual(result.code, 0, "expected a failure");
          if (result.success) assert.equal(decoder.decode(server.messages[0].data), MESSAGE);
          else assert.equal(server.messages.length, 0);
          await withTimeout(server.settled(), DEADLINE_MS, "curl to close its connection");
        });
      }
    } finally {
      await Deno.remove(file);
    }
  },
});
