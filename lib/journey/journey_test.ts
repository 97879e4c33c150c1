import assert from "node:assert/strict";
import { closeQuietly, connectLoopback, serveLoopback } from "../net/mod.ts";
import { receivedLines } from "../smtp/received.ts";
import { SmtpError } from "../smtp/error.ts";
import {
  COURSE_PIECES,
  courseNextStep,
  journeyArrows,
  journeyDiagram,
  JourneyRecorder,
  journeyTimeline,
  parseReceived,
  PARTICIPANT,
  piecesRelay,
  runJourney,
  sampleMessage,
  serveWiretap,
  traceAgainstTimeline,
} from "./mod.ts";

const decoder = new TextDecoder();

/** Alice's letter, with a long line added. */
const MESSAGE = sampleMessage({
  id: "journey-test",
  body: ["Hello Bob, 你好.", ".a line that starts with a dot", "x".repeat(900)],
});

Deno.test("runJourney() carries one message through every hop and records each", async (t) => {
  const run = await runJourney(MESSAGE, { gateway: "ours" });
  const landed = decoder.decode(run.landing.bytes);

  await t.step("the message lands whole, after the trace headers", () => {
    assert.ok(landed.endsWith(MESSAGE), "the message body and headers changed on the way");
    assert.match(landed, /^Return-Path: <alice@a\.test>\r\n/);
    assert.equal(receivedLines(landed).length, 3);
    assert.match(run.submitReply, /^250 /);
  });

  await t.step("POP3 and IMAP hand Bob the same bytes as the Maildir file", () => {
    assert.equal(decoder.decode(run.pop3.bytes), landed);
    assert.equal(decoder.decode(run.imap.bytes), landed);
    assert.match(run.imap.woke, /^\* 1 EXISTS$/);
    assert.match(run.landing.file, /^new\//);
  });

  await t.step("the MX walk skips mx1.b.test (no address) for mx2.b.test", () => {
    assert.deepEqual(run.attempts.map((a) => [a.exchange, a.outcome]), [
      ["mx1.b.test", "down"],
      ["mx2.b.test", "delivered"],
    ]);
    assert.equal(run.gateway.software, "lib/smtp");
  });

  await t.step("every connection is recorded, in the order the mail moved", () => {
    const labels = run.recorder.connections.map((c) => c.label);
    assert.deepEqual(labels, [
      "IMAP IDLE and fetch",
      "submission",
      "MX relay",
      "gateway → mailbox server",
      "POP3 retrieval",
    ]);
    for (const c of run.recorder.connections) {
      assert.ok(c.transcript.bytesFrom(c.client) > 0, `${c.label}: nothing from the client`);
      assert.ok(c.transcript.bytesFrom(c.server) > 0, `${c.label}: nothing from the server`);
    }
    const submission = run.recorder.connections[1].transcript.lines();
    assert.ok(
      submission.some((l) => l.from === PARTICIPANT.mua && l.text.startsWith("AUTH PLAIN ")),
      "Alice's program authenticates",
    );
  });

  await t.step("each Received: line is pinned to its hop and agrees with the clock", () => {
    const hops = traceAgainstTimeline(run.landing.bytes, run.recorder);
    assert.deepEqual(hops.map((h) => [h.received.by, h.connection]), [
      ["smtp.a.test", "submission"],
      ["mx2.b.test", "MX relay"],
      ["store.b.test", "gateway → mailbox server"],
    ]);
    assert.ok(hops.every((h) => h.agrees), JSON.stringify(hops));
    // Bottom-up order is the order in which the hops began.
    assert.ok(hops[0].dataAt! < hops[1].dataAt! && hops[1].dataAt! < hops[2].dataAt!);
  });

  await t.step("the diagram has every participant and the timeline every connection", () => {
    const diagram = journeyDiagram(run.recorder, Object.values(PARTICIPANT));
    for (let i = 0; i < Object.values(PARTICIPANT).length; i++) {
      assert.match(diagram.source, new RegExp(`\\bp${i}->>`), `participant ${i} never speaks`);
    }
    assert.match(diagram.source, /Note over p1: mx1\.b\.test: down/);
    assert.match(diagram.source, /lines, \d+ bytes\)/, "the message body is folded");
    const chart = journeyTimeline(run.recorder);
    const rows = new Set(chart.data.flatMap((d) => d.y as string[]));
    assert.equal(rows.size, run.recorder.connections.length);
    const dots = chart.data.reduce((n, d) => n + (d.x?.length ?? 0), 0);
    const chunks = run.recorder.connections.reduce((n, c) => n + c.transcript.entries.length, 0);
    assert.equal(dots, chunks, "one dot per recorded chunk");
  });
});

/** One response starting at `at` (lines and `{n}` literals), or null while incomplete. */
function frameAt(wire: Uint8Array, at: number) {
  const frame = { lines: [] as string[], literals: [] as Uint8Array[] };
  let more = true;
  while (more) {
    const lf = wire.indexOf(0x0a, at);
    if (lf < 0) return null;
    const line = decoder.decode(wire.subarray(at, lf)).replace(/\r$/, "");
    frame.lines.push(line);
    at = lf + 1;
    const size = /\{(\d+)\}$/.exec(line);
    more = size !== null;
    if (size) {
      if (at + Number(size[1]) > wire.length) return null;
      frame.literals.push(wire.slice(at, at + Number(size[1])));
      at += Number(size[1]);
    }
  }
  return { frame, end: at };
}

Deno.test("runJourney() uses the pieces it is given in place of the course's", async () => {
  const calls: string[] = [];
  const run = await runJourney(MESSAGE, {
    gateway: "ours",
    pieces: {
      deliver: (...args) => {
        calls.push("deliver");
        return COURSE_PIECES.deliver(...args);
      },
      readMultiline: (lines) => {
        calls.push("readMultiline");
        return COURSE_PIECES.readMultiline(lines);
      },
      // A splitter of our own, as a learner's would be: one frame per line, literals counted.
      splitFrames: (wire) => {
        calls.push("splitFrames");
        const frames: { lines: string[]; literals: Uint8Array[] }[] = [];
        let at = 0;
        while (at < wire.length) {
          const next = frameAt(wire, at);
          if (!next) break;
          frames.push(next.frame);
          at = next.end;
        }
        return frames;
      },
    },
  });
  assert.deepEqual(run.replaced, ["deliver", "readMultiline", "splitFrames"]);
  assert.ok(calls.includes("deliver") && calls.includes("readMultiline"));
  assert.ok(calls.includes("splitFrames"));
  assert.equal(decoder.decode(run.imap.bytes), decoder.decode(run.landing.bytes));
  assert.equal(decoder.decode(run.pop3.bytes), decoder.decode(run.landing.bytes));
});

Deno.test("piecesRelay() answers 550 when an exchange refuses and 451 when all are down", async () => {
  const base = {
    mx: { "b.test": [{ preference: 10, exchange: "mx.b.test" }] },
    hosts: { "mx.b.test": 9 },
    self: "a.test",
    nextStep: courseNextStep,
  };
  const envelope = { from: "a@a.test", to: ["bob@b.test"] };
  const refuse = piecesRelay({
    ...base,
    deliver: () => Promise.reject(new Error("RCPT refused: 550 5.1.1 no such user")),
  });
  await assert.rejects(refuse(envelope, new Uint8Array()), (e) => (e as SmtpError).code === 550);
  const down = piecesRelay({
    ...base,
    deliver: () => Promise.reject(new Error("Connection refused")),
  });
  await assert.rejects(down(envelope, new Uint8Array()), (e) => (e as SmtpError).code === 451);
});

Deno.test("courseNextStep() follows preference, stops at a refusal, keeps self's rule", () => {
  const records = [
    { preference: 30, exchange: "c" },
    { preference: 10, exchange: "a" },
    { preference: 20, exchange: "b" },
  ];
  assert.deepEqual(courseNextStep("d.test", records, []), { exchange: "a" });
  assert.deepEqual(courseNextStep("d.test", records, [{ exchange: "a", outcome: "down" }]), {
    exchange: "b",
  });
  assert.deepEqual(
    courseNextStep("d.test", records, [
      { exchange: "a", outcome: "down" },
      { exchange: "b", outcome: "refused" },
    ]),
    { outcome: "refused" },
  );
  assert.deepEqual(courseNextStep("d.test", records, [{ exchange: "a", outcome: "down" }], "b"), {
    outcome: "deferred",
  });
  assert.deepEqual(courseNextStep("d.test", [], []), { exchange: "d.test" });
});

Deno.test("serveWiretap() forwards both ways, passes a half-close on, and closes all", async () => {
  const log = new JourneyRecorder();
  await using upstream = serveLoopback(async (conn) => {
    const buffer = new Uint8Array(64);
    let text = "";
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
    await conn.write(new TextEncoder().encode(`got ${text.length} bytes\r\n`));
  });
  const tap = serveWiretap(log, {
    upstreamPort: upstream.port,
    label: "test",
    protocol: "SMTP",
    client: "c",
    server: "s",
  });
  const conn = await connectLoopback(tap.port);
  try {
    await conn.write(new TextEncoder().encode("hello\r\n"));
    await conn.closeWrite(); // the upstream sees the end only if the tap passes it on
    const buffer = new Uint8Array(64);
    const n = await conn.read(buffer);
    assert.equal(decoder.decode(buffer.subarray(0, n!)), "got 7 bytes\r\n");
  } finally {
    closeQuietly(conn);
    await tap.close();
  }
  assert.equal(log.connections[0].transcript.toString(), "C: hello\nS: got 7 bytes");
});

Deno.test("parseReceived() reads ours and Postfix's trace lines", () => {
  const ours = parseReceived(
    "from alice-pc ([127.0.0.1]) by smtp.a.test with ESMTPA id MX1 for <bob@b.test>; Sun, 29 Nov 2026 04:52:56 +0000",
  );
  assert.deepEqual([ours.from, ours.by, ours.id], ["alice-pc", "smtp.a.test", "MX1"]);
  assert.equal(ours.date.toISOString(), "2026-11-29T04:52:56.000Z");
  const postfix = parseReceived(
    "from smtp.a.test (localhost [127.0.0.1]) by mx2.b.test (Postfix) with ESMTP id 761DD2100AA for <bob@b.test>; Sun, 29 Nov 2026 04:52:59 +0000 (UTC)",
  );
  assert.deepEqual([postfix.from, postfix.by, postfix.id], [
    "smtp.a.test",
    "mx2.b.test",
    "761DD2100AA",
  ]);
  assert.throws(() => parseReceived("from x by y"), /no date/);
});

Deno.test("journeyArrows() folds long runs and keeps short ones", () => {
  const log = new JourneyRecorder();
  const t = log.connection("x", "SMTP", "c", "s");
  const e = new TextEncoder();
  t.record("c", "s", e.encode("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"));
  t.record("s", "c", e.encode("250 ok\r\n250 ok\r\n354 go\r\n"));
  t.record("c", "s", e.encode("1\r\n2\r\n3\r\n4\r\n.\r\n"));
  log.event("s", "stored");
  const arrows = journeyArrows(log);
  assert.deepEqual(arrows.map((a) => a.text), [
    "MAIL FROM:<a@b>",
    "RCPT TO:<c@d>",
    "DATA",
    "250 ok",
    "250 ok",
    "354 go",
    "1 … (5 lines, 15 bytes)",
    "stored",
  ]);
  assert.equal(arrows.at(-1)!.note, true);
});
