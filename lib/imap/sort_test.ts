import { deepStrictEqual } from "node:assert/strict";
import { baseSubject } from "./base_subject.ts";
import { type SortMessage, sortMessages } from "./sort.ts";
import { type ThreadMessage, threadMessages } from "./thread.ts";
import { wireFixture } from "./wire_test_helpers.ts";

const msg = (seq: number, headers: Record<string, string>, size = 100): ThreadMessage => ({
  id: seq,
  seq,
  size,
  internalDate: new Date(Date.UTC(2024, 0, seq)),
  header: Object.entries(headers).map(([name, value]) => ({ name, value })),
});

Deno.test("baseSubject() strips Re:, Fwd:, [blobs], (fwd) and [fwd: ...] as RFC 5256 2.1 says", () => {
  deepStrictEqual(baseSubject("Re: [list] Fwd: Lunch (fwd)"), "Lunch");
  deepStrictEqual(baseSubject("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)"), "b");
  deepStrictEqual(baseSubject("re: [fwd: [fwd: re: [fwd: babylon]]]"), "babylon");
  deepStrictEqual(baseSubject("[xyz]"), "[xyz]"); // a blob alone is the subject
  deepStrictEqual(baseSubject("=?iso-8859-1?q?RE:_C?="), "C");
  deepStrictEqual(baseSubject("Ad: Re: x"), "Ad: Re: x");
});

Deno.test("sortMessages() orders by each key in turn, REVERSE per key, then by sequence", () => {
  const messages: SortMessage[] = [
    msg(1, { Subject: "b", Date: "Mon, 1 Jan 2024 10:00:00 +0000" }, 300),
    msg(2, { Subject: "Re: a", Date: "Mon, 1 Jan 2024 09:00:00 -0200" }, 100),
    msg(3, { Subject: "A", Date: "Mon, 1 Jan 2024 10:30:00 +0000" }, 200),
    msg(4, { Subject: "b" }, 200),
  ];
  const order = (criteria: Parameters<typeof sortMessages>[1]) =>
    sortMessages(messages, criteria).map((m) => m.seq);
  deepStrictEqual(order([{ key: "SUBJECT", reverse: false }]), [2, 3, 1, 4]);
  deepStrictEqual(order([{ key: "SUBJECT", reverse: false }, { key: "SIZE", reverse: true }]), [
    3,
    2,
    1,
    4,
  ]);
  // Message 4 has no Date: its INTERNALDATE (4 Jan) stands in.
  deepStrictEqual(order([{ key: "DATE", reverse: false }]), [1, 3, 2, 4]);
  deepStrictEqual(order([{ key: "SIZE", reverse: true }]), [1, 3, 4, 2]);
});

Deno.test("threadMessages() threads by References, breaking loops and grouping by subject", () => {
  deepStrictEqual(
    threadMessages([
      msg(1, { "Message-ID": "<a@b>" }),
      msg(2, { "Message-ID": "<b@b>", References: "<a@b> <c@b>" }),
      msg(3, { "Message-ID": "<c@b>", References: "<b@b>" }),
    ], "REFERENCES"),
    "(1)(3 2)",
  );
  deepStrictEqual(
    threadMessages([
      msg(1, { "Message-ID": "<1@x>", Subject: "plan" }),
      msg(2, { "Message-ID": "<2@x>", "In-Reply-To": "<1@x>", Subject: "Re: plan" }),
      msg(3, { "Message-ID": "<3@x>", References: "<1@x>", Subject: "Re: plan" }),
      msg(4, { "Message-ID": "<4@x>", Subject: "Re: plan" }), // no references: joins by subject
      msg(5, { "Message-ID": "<5@x>", Subject: "other" }),
    ], "REFERENCES"),
    "(1 (2)(3)(4))(5)",
  );
  deepStrictEqual(
    threadMessages([
      msg(1, { Subject: "plan" }),
      msg(2, { Subject: "other" }),
      msg(3, { Subject: "Re: plan" }),
      msg(4, { Subject: "Re: plan" }),
    ], "ORDEREDSUBJECT"),
    "(1 (3)(4))(2)",
  );
});

Deno.test("SORT and THREAD answer on the wire, by sequence number and by UID", async () => {
  const mail = (subject: string, id: string, refs = "") =>
    `Message-ID: <${id}>\r\nSubject: ${subject}\r\n${
      refs ? `References: <${refs}>\r\n` : ""
    }\r\nx\r\n`;
  await using f = await wireFixture([
    mail("b", "1@x"),
    mail("a", "2@x"),
    mail("Re: b", "3@x", "1@x"),
  ]);
  using wire = await f.connect();
  await wire.send("s SELECT INBOX\r\n");
  await wire.until("s ");
  await wire.send("a SORT (SUBJECT REVERSE ARRIVAL) UTF-8 ALL\r\n");
  deepStrictEqual(await wire.until("a "), ["* SORT 2 3 1", "a OK SORT completed"]);
  await wire.send("b UID THREAD REFERENCES US-ASCII NOT SUBJECT a\r\n");
  deepStrictEqual(await wire.until("b "), ["* THREAD (1 3)", "b OK UID THREAD completed"]);
  await wire.send("c SORT (BOGUS) UTF-8 ALL\r\n");
  deepStrictEqual(await wire.until("c "), ['c BAD Cannot parse SORT: unknown sort key "BOGUS"']);
  await wire.send("d THREAD REFERENCES KOI8-R ALL\r\n");
  deepStrictEqual(await wire.until("d "), [
    "d NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset KOI8-R",
  ]);
});
