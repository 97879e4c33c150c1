/**
 * Grader for the IMAP client over sockets: the learner's client fetches one message's
 * header and one MIME part from the course's IMAP server (over a real Maildir) and from
 * every misbehaving IMAP server of lib/misbehave. The octets must be exact, the message
 * must stay unseen, and the whole message must never cross the wire.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Check, defineExercise } from "../../lib/grading/exercise.ts";
import { ImapClient, serveImap } from "../../lib/imap/mod.ts";
import { scanMessage } from "../../lib/mail/mod.ts";
import { parseSection, sectionBytes } from "../../lib/imap/section.ts";
import { atom } from "../../lib/imap/values.ts";
import { MailStore } from "../../lib/maildir/mod.ts";
import {
  judgeClient,
  OUTCOME,
  scenariosFor,
  serveMisbehavingImap,
} from "../../lib/misbehave/mod.ts";
import { Transcript } from "../../lib/transcript/transcript.ts";
import { startDovecot } from "../../lib/dovecot/mod.ts";
import { tool, withTools } from "../../tests/tools.ts";

type Impl = typeof import("../../exercises/05_imap/imap_client.ts");

const DEADLINE_MS = 1000;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A report with a 60 KB attachment: fetching it whole would show on the wire. */
export const REPORT = [
  "From: bob@example.org",
  "To: alice@localhost",
  "Subject: =?UTF-8?B?5oql5ZGK?= (report)",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="xyz"',
  "",
  "--xyz",
  "Content-Type: text/plain; charset=UTF-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "Voilà le rapport. 报告在附件里。",
  ") * OK {12} is just text here",
  "--xyz",
  "Content-Type: application/octet-stream; name=data.bin",
  "Content-Transfer-Encoding: base64",
  "",
  ...Array.from({ length: 800 }, (_, i) => btoa(String(i).padStart(56, "x"))),
  "--xyz--",
  "",
].join("\r\n");

/** The course's IMAP server over a Maildir with three messages; the report is the second. */
export async function courseServer() {
  const root = await Deno.makeTempDir({ prefix: "imap-client-grade-" });
  const store = new MailStore(root);
  const box = await store.mailbox("alice");
  for (const text of ["Subject: first\r\n\r\nhello\r\n", REPORT, "Subject: third\r\n\r\nbye\r\n"]) {
    await box.deliver(encoder.encode(text));
  }
  const transcript = new Transcript();
  const server = serveImap({
    store,
    users: new Map([["alice", "wonderland"]]),
    transcript,
    idleTimeoutMs: 5000,
  });
  /** UIDs of the three messages, and whether each is \Seen, as the server says. */
  const state = async () => {
    await using client = await ImapClient.connect(server.port, { timeoutMs: 3000 });
    await client.login("alice", "wonderland");
    await client.select("INBOX", { readOnly: true });
    const fetched = await client.fetch("1:*", "(UID FLAGS)");
    await client.logout();
    return fetched.map((f) => ({ uid: f.uid!, seen: (f.flags ?? []).includes("\\Seen") }));
  };
  return {
    port: server.port,
    transcript,
    state,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** BODY[HEADER] and BODY[part] of `bytes`, computed by the course's own section code. */
export function expected(bytes: Uint8Array, part: string) {
  const root = scanMessage(bytes);
  return {
    header: decoder.decode(sectionBytes(bytes, root, parseSection([atom("HEADER")]))!),
    part: decoder.decode(sectionBytes(bytes, root, parseSection([atom(part)]))!),
  };
}

const text = (r: { header: Uint8Array; part: Uint8Array }) => ({
  header: decoder.decode(r.header),
  part: decoder.decode(r.part),
});

async function fetchesFromPoliteServer(impl: Impl): Promise<void> {
  await using polite = serveMisbehavingImap({ scenario: "polite" });
  try {
    await impl.fetchHeaderAndPart(polite.port, "alice", "wonderland", 105, "1", {
      timeoutMs: DEADLINE_MS,
    });
  } catch (error) {
    throw new Error(
      `fetchHeaderAndPart() must first work against a polite server before its failures count: ${
        (error as Error).message
      }`,
    );
  }
}

function scenarioCheck(name: string): Check<Impl> {
  const s = scenariosFor("imap").find((x) => x.name === name)!;
  return {
    name: `fetchHeaderAndPart() against a server that ${s.does.imap!.replace(/\.$/, "")}: ${
      s.outcome === OUTCOME.Completes
        ? "exact octets"
        : s.outcome === OUTCOME.Fails
        ? "fails clearly, in time"
        : "exact octets or a clear failure"
    }`,
    points: 1,
    hint: `Scenario "${s.name}" (${s.rfc}): ${s.clientMust}`,
    timeoutMs: 8000,
    run: async (impl) => {
      if (s.outcome !== OUTCOME.Completes) await fetchesFromPoliteServer(impl);
      await using server = serveMisbehavingImap({ scenario: s.name });
      // The third sample message: a subject with "{5}", a part holding "* OK" and ")" lines.
      const target = server.messages[2];
      const verdict = await judgeClient(
        server,
        "imap",
        () =>
          impl.fetchHeaderAndPart(server.port, "alice", "wonderland", target.uid, "1", {
            timeoutMs: DEADLINE_MS,
          }),
        { deadlineMs: DEADLINE_MS, name: "fetchHeaderAndPart()" },
      );
      if (verdict.ok) {
        assert.deepEqual(text(verdict.value), expected(target.bytes, "1"), "the octets differ");
        assert.ok(!target.flags.includes("\\Seen"), "use BODY.PEEK: the message is now \\Seen");
      }
    },
  };
}

export default defineExercise<Impl>({
  title: "An IMAP client that fetches a header and one part",
  hints: [
    "Write readResponse() first: read a line; while it ends with {n}, readBytes(n) and read the next line. Everything up to a line without {n} is one response.",
    "A command helper: write `tag TEXT`, then read responses until one starts with `tag `; keep the untagged ones (`* ...`); throw unless the tagged one says OK.",
    "In the FETCH response, the literal that follows `BODY[HEADER] {n}` is the header: the literal belongs to the line that ends with {n}. Check the response's UID: an unsolicited `* 1 FETCH (FLAGS ...)` is not yours.",
    "Deadline: wrap each readResponse() in withTimeout(). Close the connection in a finally.",
  ],
  checks: [
    {
      name:
        "fetchHeaderAndPart() returns the header and the part, octet for octet, from the course server",
      points: 3,
      hint:
        "Ask UID FETCH <uid> (BODY.PEEK[HEADER] BODY.PEEK[<part>]) and take the literals after those names.",
      run: async (impl) => {
        await using server = await courseServer();
        const [, report] = await server.state();
        for (const part of ["1", "2"]) {
          const got = await impl.fetchHeaderAndPart(
            server.port,
            "alice",
            "wonderland",
            report.uid,
            part,
            {
              timeoutMs: 3000,
            },
          );
          assert.deepEqual(text(got), expected(encoder.encode(REPORT), part), `part ${part}`);
        }
      },
    },
    {
      name:
        "fetchHeaderAndPart() moves only the header and the part: far less than the whole message",
      points: 2,
      hint:
        "Fetch BODY.PEEK[HEADER] and BODY.PEEK[1], never BODY[] or RFC822: the 60 KB attachment must stay on the server.",
      run: async (impl) => {
        await using server = await courseServer();
        const [, report] = await server.state();
        const before = server.transcript.bytesFrom("server");
        await impl.fetchHeaderAndPart(server.port, "alice", "wonderland", report.uid, "1", {
          timeoutMs: 3000,
        });
        const sent = server.transcript.bytesFrom("server") - before;
        assert.ok(
          sent < REPORT.length / 4,
          `the server sent ${sent} bytes for a ${REPORT.length}-byte message`,
        );
      },
    },
    {
      name: "fetchHeaderAndPart() leaves the message unseen (BODY.PEEK)",
      points: 1,
      hint: "BODY[...] sets \\Seen (RFC 3501 6.4.5); BODY.PEEK[...] does not.",
      run: async (impl) => {
        await using server = await courseServer();
        const [, report] = await server.state();
        await impl.fetchHeaderAndPart(server.port, "alice", "wonderland", report.uid, "2", {
          timeoutMs: 3000,
        });
        const after = await server.state();
        assert.deepEqual(after.map((m) => m.seen), [false, false, false]);
      },
    },
    {
      name: "a wrong password, or a UID that does not exist, ends in a clear error",
      points: 1,
      hint:
        "Throw unless the tagged completion is OK; an OK FETCH with no data for your UID means there is no such message.",
      run: async (impl) => {
        await using server = await courseServer();
        await assert.rejects(
          impl.fetchHeaderAndPart(server.port, "alice", "guess", 1, "1", { timeoutMs: 3000 }),
          /NO|LOGIN|fail|auth/i,
        );
        await assert.rejects(
          impl.fetchHeaderAndPart(server.port, "alice", "wonderland", 9999, "1", {
            timeoutMs: 3000,
          }),
        );
      },
    },
    ...withTools(["dovecot"], [{
      name: "fetchHeaderAndPart() gets the header and each part from Dovecot, a real IMAP server",
      points: 2,
      hint:
        "Dovecot may answer with literals or quoted strings, and in its own order: find each item by its name.",
      timeoutMs: 15_000,
      run: async (impl: Impl) => {
        const root = await Deno.makeTempDir({ prefix: "imap-client-dovecot-" });
        try {
          const box = await new MailStore(root).mailbox("alice");
          await box.deliver(encoder.encode("Subject: first\r\n\r\nhello\r\n"));
          await box.deliver(encoder.encode(REPORT));
          await using dovecot = await startDovecot({
            protocol: "imap",
            mailRoot: root,
            users: new Map([["alice", "wonderland"]]),
            binary: tool("dovecot"),
          });
          let uid: number;
          {
            await using client = await ImapClient.connect(dovecot.port, { timeoutMs: 3000 });
            await client.login("alice", "wonderland");
            await client.select("INBOX", { readOnly: true });
            uid = (await client.fetch("2", "(UID)"))[0].uid!;
            await client.logout();
          }
          for (const part of ["1", "2"]) {
            const got = await impl.fetchHeaderAndPart(
              dovecot.port,
              "alice",
              "wonderland",
              uid,
              part,
              {
                timeoutMs: 3000,
              },
            );
            assert.deepEqual(text(got), expected(encoder.encode(REPORT), part), `part ${part}`);
          }
        } finally {
          await Deno.remove(root, { recursive: true });
        }
      },
    }]),
    ...scenariosFor("imap").map((s) => scenarioCheck(s.name)),
  ],
});
