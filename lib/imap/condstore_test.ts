/**
 * CONDSTORE and QRESYNC (RFC 7162) on the wire, byte for byte: every command with its
 * exact answer, the numbers kept across a restart, flag changes made by another program
 * renaming Maildir files, and the modseq log's own crash safety.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { unknownCitations } from "../../tools/notebooks/citations.ts";
import { MailStore } from "../maildir/mod.ts";
import { MAX_EXPUNGED, MODSEQ_FILE, ModseqLog } from "./modseq.ts";
import { serveImap } from "./server.ts";
import { rawConnection, wireFixture } from "./wire_test_helpers.ts";

const mail = (subject: string) => `Subject: ${subject}\r\n\r\nbody ${subject}\r\n`;

type Wire = Awaited<ReturnType<typeof rawConnection>>;

/** Send one command and return every line up to its tagged answer. */
async function exchange(wire: Wire, command: string): Promise<string[]> {
  await wire.send(command + "\r\n");
  return await wire.until(command.split(" ")[0] + " ");
}

/** The UIDVALIDITY of a mailbox, asked with STATUS (which changes nothing). */
async function uidValidity(wire: Wire, mailbox = "INBOX"): Promise<number> {
  const lines = await exchange(wire, `uv STATUS ${mailbox} (UIDVALIDITY)`);
  return Number(/UIDVALIDITY (\d+)/.exec(lines[0])![1]);
}

/** The lines of a SELECT answer after the ones RFC 3501 prescribes (UIDNEXT and before). */
function afterUidNext(lines: string[]): string[] {
  return lines.slice(lines.findIndex((l) => l.includes("[UIDNEXT ")) + 1);
}

Deno.test("CAPABILITY offers CONDSTORE and QRESYNC; ENABLE lists what it turned on", async () => {
  await using f = await wireFixture([mail("a")]);
  using wire = await f.connect();
  const caps = await exchange(wire, "a CAPABILITY");
  ok(/ CONDSTORE QRESYNC/.test(caps[0]), caps[0]);
  deepStrictEqual(await exchange(wire, "b ENABLE"), ["b BAD ENABLE expects capability names"]);
  // RFC 5161 3.1: names the server does not know are ignored.
  deepStrictEqual(await exchange(wire, "c ENABLE X-UNKNOWN condstore"), [
    "* ENABLED CONDSTORE",
    "c OK ENABLE completed",
  ]);
  deepStrictEqual(await exchange(wire, "d ENABLE QRESYNC"), [
    "* ENABLED QRESYNC",
    "d OK ENABLE completed",
  ]);
  deepStrictEqual(afterUidNext(await exchange(wire, "e SELECT INBOX")), [
    "* OK [HIGHESTMODSEQ 1] Highest",
    "e OK [READ-WRITE] SELECT completed",
  ]);
});

Deno.test("without CONDSTORE, SELECT and flag updates look as before (no MODSEQ anywhere)", async () => {
  await using f = await wireFixture([mail("a")]);
  using wire = await f.connect();
  deepStrictEqual(afterUidNext(await exchange(wire, "a SELECT INBOX")), [
    "a OK [READ-WRITE] SELECT completed",
  ]);
  deepStrictEqual(await exchange(wire, "b STORE 1 +FLAGS (\\Seen)"), [
    "* 1 FETCH (FLAGS (\\Seen \\Recent))",
    "b OK STORE completed",
  ]);
});

Deno.test("each CONDSTORE enabling command sends HIGHESTMODSEQ once (RFC 7162 3.1)", async () => {
  for (
    const command of [
      "x FETCH 1 MODSEQ",
      "x SEARCH MODSEQ 0",
      "x FETCH 1 (UID) (CHANGEDSINCE 0)",
      "x STORE 1 (UNCHANGEDSINCE 0) -FLAGS.SILENT (kw)",
      "x STATUS INBOX (HIGHESTMODSEQ)",
      "x ENABLE CONDSTORE",
    ]
  ) {
    await using f = await wireFixture([mail("a")]);
    using wire = await f.connect();
    await exchange(wire, "s SELECT INBOX");
    const first = await exchange(wire, command);
    // First thing, or right after ENABLED for ENABLE.
    ok(first.slice(0, 2).includes("* OK [HIGHESTMODSEQ 1] Highest"), `${command}: ${first}`);
    const again = await exchange(wire, command);
    ok(!again.some((line) => line.includes("] Highest")), command);
  }
});

Deno.test("STORE, APPEND, COPY and EXPUNGE each raise HIGHESTMODSEQ; FETCH MODSEQ shows it", async () => {
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "c0 CREATE Other");
  deepStrictEqual(await exchange(wire, "a STATUS INBOX (HIGHESTMODSEQ MESSAGES)"), [
    '* STATUS "INBOX" (HIGHESTMODSEQ 1 MESSAGES 3)',
    "a OK STATUS completed",
  ]);
  deepStrictEqual(afterUidNext(await exchange(wire, "b SELECT INBOX (CONDSTORE)")), [
    "* OK [HIGHESTMODSEQ 1] Highest",
    "b OK [READ-WRITE] SELECT completed",
  ]);
  deepStrictEqual(await exchange(wire, "c STORE 2 +FLAGS (\\Seen)"), [
    "* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (2))",
    "c OK STORE completed",
  ]);
  // .SILENT leaves FLAGS out but still tells the new MODSEQ.
  deepStrictEqual(await exchange(wire, "d UID STORE 3 +FLAGS.SILENT (\\Flagged)"), [
    "* 3 FETCH (UID 3 MODSEQ (3))",
    "d OK UID STORE completed",
  ]);
  // Setting a flag a message already has changes nothing: its MODSEQ stays.
  deepStrictEqual(await exchange(wire, "e STORE 2 +FLAGS (\\Seen)"), [
    "* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (2))",
    "e OK STORE completed",
  ]);
  deepStrictEqual(await exchange(wire, "f FETCH 1:* (FLAGS MODSEQ)"), [
    "* 1 FETCH (FLAGS (\\Recent) MODSEQ (1))",
    "* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (2))",
    "* 3 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (3))",
    "f OK FETCH completed",
  ]);
  const validity = await uidValidity(wire);
  deepStrictEqual(await exchange(wire, "g APPEND INBOX {5+}\r\nnew\r\n"), [
    "* 4 EXISTS",
    "* 4 RECENT",
    `g OK [APPENDUID ${validity} 4] APPEND completed`,
  ]);
  deepStrictEqual(await exchange(wire, "h UID FETCH 4 MODSEQ"), [
    "* 4 FETCH (UID 4 MODSEQ (4))",
    "h OK UID FETCH completed",
  ]);
  // An empty mailbox starts at HIGHESTMODSEQ 1 (RFC 7162 7: a positive number); the copy is 2.
  deepStrictEqual(
    (await exchange(wire, "i0 STATUS Other (HIGHESTMODSEQ)"))[0],
    '* STATUS "Other" (HIGHESTMODSEQ 1)',
  );
  await exchange(wire, "i COPY 1 Other");
  deepStrictEqual(await exchange(wire, "j STATUS Other (HIGHESTMODSEQ)"), [
    '* STATUS "Other" (HIGHESTMODSEQ 2)',
    "j OK STATUS completed",
  ]);
  await exchange(wire, "k STORE 1 +FLAGS.SILENT (\\Deleted)");
  deepStrictEqual(await exchange(wire, "l EXPUNGE"), ["* 1 EXPUNGE", "l OK EXPUNGE completed"]);
  deepStrictEqual(await exchange(wire, "m STATUS INBOX (HIGHESTMODSEQ)"), [
    '* STATUS "INBOX" (HIGHESTMODSEQ 6)',
    "m OK STATUS completed",
  ]);
});

Deno.test("FETCH (CHANGEDSINCE n) returns only what changed since, with its MODSEQ", async () => {
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "s SELECT INBOX");
  await exchange(wire, "a STORE 2 +FLAGS.SILENT (\\Answered)");
  deepStrictEqual(await exchange(wire, "b FETCH 1:* (FLAGS) (CHANGEDSINCE 1)"), [
    "* OK [HIGHESTMODSEQ 2] Highest",
    "* 2 FETCH (FLAGS (\\Answered \\Recent) MODSEQ (2))",
    "b OK FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "c UID FETCH 1:* (FLAGS) (CHANGEDSINCE 2)"), [
    "c OK UID FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "d FETCH 1 (FLAGS) (CHANGEDSINCE x)"), [
    "d BAD CHANGEDSINCE expects a mod-sequence, a number from 0 to 2^63 - 1",
  ]);
  deepStrictEqual(await exchange(wire, "e FETCH 1 (FLAGS) (CHANGEDSINCE 9223372036854775808)"), [
    "e BAD CHANGEDSINCE expects a mod-sequence, a number from 0 to 2^63 - 1",
  ]);
  deepStrictEqual(await exchange(wire, "f FETCH 1 (FLAGS) (SOMETHING)"), [
    'f BAD Unknown FETCH modifier "SOMETHING"',
  ]);
  // VANISHED belongs to QRESYNC, which is not on.
  deepStrictEqual(await exchange(wire, "g UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)"), [
    'g BAD Unknown FETCH modifier "VANISHED"',
  ]);
});

Deno.test("STORE (UNCHANGEDSINCE n) changes only what nobody changed since, MODIFIED names the rest", async () => {
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  using other = await f.connect();
  await exchange(wire, "s SELECT INBOX (CONDSTORE)");
  await exchange(other, "s SELECT INBOX");
  // Another session changes message 2 first: MODSEQ 2.
  deepStrictEqual(await exchange(other, "a STORE 2 +FLAGS.SILENT (\\Seen)"), [
    "a OK STORE completed",
  ]);
  deepStrictEqual(await exchange(wire, "b STORE 1:3 (UNCHANGEDSINCE 1) +FLAGS (\\Flagged)"), [
    "* 1 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (3))",
    "* 3 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (3))",
    "* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (2))",
    "b OK [MODIFIED 2] Conditional STORE failed",
  ]);
  deepStrictEqual(await exchange(wire, "c UID STORE 1:3 (UNCHANGEDSINCE 0) -FLAGS (\\Flagged)"), [
    "c OK [MODIFIED 1:3] Conditional STORE failed",
  ]);
  deepStrictEqual(await exchange(wire, "d STORE 1 (UNCHANGEDSINCE -1) +FLAGS (\\Seen)"), [
    "d BAD UNCHANGEDSINCE expects a mod-sequence, a number from 0 to 2^63 - 1",
  ]);
  deepStrictEqual(await exchange(wire, "e STORE 1 (SINCE 1) +FLAGS (\\Seen)"), [
    'e BAD Unknown STORE modifier "SINCE"',
  ]);
  // The other session sees the changes with no MODSEQ: it never turned CONDSTORE on.
  deepStrictEqual(await exchange(other, "f NOOP"), [
    "* 1 FETCH (FLAGS (\\Flagged))",
    "* 3 FETCH (FLAGS (\\Flagged))",
    "f OK NOOP completed",
  ]);
});

Deno.test("SEARCH MODSEQ answers with the highest MODSEQ found, ESEARCH too (RFC 4731 3.2)", async () => {
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "s SELECT INBOX");
  await exchange(wire, "a STORE 1 +FLAGS.SILENT (\\Seen)"); // MODSEQ 2
  await exchange(wire, "b STORE 3 +FLAGS.SILENT (\\Seen)"); // MODSEQ 3
  await exchange(wire, "c STORE 2 +FLAGS.SILENT (\\Seen)"); // MODSEQ 4
  const lines: [string, string][] = [
    ["d SEARCH MODSEQ 3", "* SEARCH 2 3 (MODSEQ 4)"],
    ['e UID SEARCH MODSEQ "/flags/\\\\seen" all 2', "* SEARCH 1 2 3 (MODSEQ 4)"],
    ["f SEARCH MODSEQ 5", "* SEARCH"],
    ["g SEARCH RETURN (MIN) MODSEQ 1", '* ESEARCH (TAG "g") MIN 1 MODSEQ 2'],
    ["h SEARCH RETURN (MAX) 1:3 MODSEQ 1", '* ESEARCH (TAG "h") MAX 3 MODSEQ 3'],
    ["i SEARCH RETURN (MIN MAX) 2:3 MODSEQ 1", '* ESEARCH (TAG "i") MIN 2 MAX 3 MODSEQ 4'],
    ["j SEARCH RETURN (COUNT) 1,3 MODSEQ 1", '* ESEARCH (TAG "j") COUNT 2 MODSEQ 3'],
    ["k SEARCH RETURN (ALL) MODSEQ 9", '* ESEARCH (TAG "k")'],
  ];
  for (const [command, answer] of lines) {
    const reply = await exchange(wire, command);
    deepStrictEqual(reply.filter((l) => !l.includes("] Highest")).slice(0, -1), [answer], command);
  }
  deepStrictEqual(await exchange(wire, 'l SEARCH MODSEQ "/flags/\\\\seen" sometimes 1'), [
    'l BAD Cannot parse SEARCH: MODSEQ expects ["/flags/<flag>" priv|shared|all] and a number',
  ]);
});

Deno.test("QRESYNC: VANISHED replaces EXPUNGE, and SELECT (QRESYNC ...) resynchronizes", async () => {
  await using f = await wireFixture(["a", "b", "c", "d", "e"].map(mail));
  using wire = await f.connect();
  using plain = await f.connect();
  const validity = await uidValidity(wire);
  deepStrictEqual(await exchange(wire, `a SELECT INBOX (QRESYNC (${validity} 1))`), [
    "a BAD QRESYNC parameter used before ENABLE QRESYNC",
  ]);
  await exchange(wire, "b ENABLE QRESYNC");
  await exchange(wire, "c SELECT INBOX");
  await exchange(plain, "c SELECT INBOX");
  // Every FETCH names the UID once QRESYNC is on (RFC 7162 3.2.4).
  deepStrictEqual(await exchange(wire, "d STORE 2,4 +FLAGS (\\Deleted)"), [
    "* 2 FETCH (UID 2 FLAGS (\\Deleted \\Recent) MODSEQ (2))",
    "* 4 FETCH (UID 4 FLAGS (\\Deleted \\Recent) MODSEQ (2))",
    "d OK STORE completed",
  ]);
  deepStrictEqual(await exchange(wire, "e EXPUNGE"), [
    "* VANISHED 2,4",
    "e OK [HIGHESTMODSEQ 3] EXPUNGE completed",
  ]);
  // A session without QRESYNC still gets EXPUNGE, highest number first.
  deepStrictEqual(await exchange(plain, "f NOOP"), [
    "* 4 EXPUNGE",
    "* 2 EXPUNGE",
    "f OK NOOP completed",
  ]);
  await exchange(wire, "g STORE 3 +FLAGS.SILENT (\\Seen)"); // UID 5, MODSEQ 4
  deepStrictEqual(await exchange(wire, "h UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"), [
    "* VANISHED (EARLIER) 2,4",
    "* 3 FETCH (UID 5 FLAGS (\\Seen \\Recent) MODSEQ (4))",
    "h OK UID FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "i UID FETCH 1:3 (FLAGS) (CHANGEDSINCE 2 VANISHED)"), [
    "* VANISHED (EARLIER) 2",
    "i OK UID FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "j FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"), [
    'j BAD Unknown FETCH modifier "VANISHED"',
  ]);
  deepStrictEqual(await exchange(wire, "k UID FETCH 1:* (FLAGS) (VANISHED)"), [
    "k BAD VANISHED needs CHANGEDSINCE (RFC 7162 3.2.6)",
  ]);
  // A client that last saw MODSEQ 1 gets what vanished and what changed, in one SELECT;
  // CLOSED tells where the old mailbox's responses end.
  deepStrictEqual(afterUidNext(await exchange(wire, `l SELECT INBOX (QRESYNC (${validity} 1))`)), [
    "* OK [HIGHESTMODSEQ 4] Highest",
    "* VANISHED (EARLIER) 2,4",
    "* 3 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (4))",
    "l OK [READ-WRITE] SELECT completed",
  ]);
  // Known UIDs limit the answer; sequence match data proves nothing below UID 3 vanished
  // unseen (the client's message 2 is UID 3, as ours).
  deepStrictEqual(
    afterUidNext(await exchange(wire, `m EXAMINE INBOX (QRESYNC (${validity} 1 1:4))`)),
    [
      "* OK [HIGHESTMODSEQ 4] Highest",
      "* VANISHED (EARLIER) 2,4",
      "m OK [READ-ONLY] EXAMINE completed",
    ],
  );
  deepStrictEqual(
    afterUidNext(await exchange(wire, `n SELECT INBOX (QRESYNC (${validity} 1 1:5 (2 3)))`)),
    [
      "* OK [HIGHESTMODSEQ 4] Highest",
      "* VANISHED (EARLIER) 4",
      "* 3 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (4))",
      "n OK [READ-WRITE] SELECT completed",
    ],
  );
  // Another UIDVALIDITY: the client's cache is void, nothing is resynchronized.
  deepStrictEqual(afterUidNext(await exchange(wire, `o SELECT INBOX (QRESYNC (1 1))`)), [
    "* OK [HIGHESTMODSEQ 4] Highest",
    "o OK [READ-WRITE] SELECT completed",
  ]);
  deepStrictEqual(await exchange(wire, `p SELECT INBOX (QRESYNC (${validity} 0))`), [
    "p BAD QRESYNC expects a mod-sequence, a number from 1 to 2^63 - 1",
  ]);
  deepStrictEqual(await exchange(wire, "q SELECT INBOX (FAST)"), [
    'q BAD Unknown SELECT parameter "FAST"',
  ]);
});

Deno.test("MODSEQs, HIGHESTMODSEQ and expunged UIDs survive a server restart", async () => {
  const root = await Deno.makeTempDir({ prefix: "imap-modseq-" });
  const users = new Map([["alice", "pw"]]);
  try {
    const box = await new MailStore(root).mailbox("alice");
    for (const s of ["a", "b", "c"]) await box.deliver(new TextEncoder().encode(mail(s)));
    let validity: number;
    {
      await using server = serveImap({ store: new MailStore(root), users });
      using wire = await login(server.port);
      validity = await uidValidity(wire);
      await exchange(wire, "a ENABLE QRESYNC");
      await exchange(wire, "b SELECT INBOX");
      await exchange(wire, "c STORE 1 +FLAGS.SILENT (\\Seen)"); // MODSEQ 2
      await exchange(wire, "d UID STORE 2 +FLAGS.SILENT (\\Deleted)"); // MODSEQ 3
      deepStrictEqual(await exchange(wire, "e UID EXPUNGE 2"), [
        "* VANISHED 2",
        "e OK [HIGHESTMODSEQ 4] UID EXPUNGE completed",
      ]);
    }
    {
      await using server = serveImap({ store: new MailStore(root), users });
      using wire = await login(server.port);
      deepStrictEqual(await exchange(wire, "a STATUS INBOX (HIGHESTMODSEQ)"), [
        '* STATUS "INBOX" (HIGHESTMODSEQ 4)',
        "a OK STATUS completed",
      ]);
      await exchange(wire, "b ENABLE QRESYNC");
      deepStrictEqual(
        afterUidNext(await exchange(wire, `c SELECT INBOX (QRESYNC (${validity} 1))`)),
        [
          "* OK [HIGHESTMODSEQ 4] Highest",
          "* VANISHED (EARLIER) 2",
          "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (2))",
          "c OK [READ-WRITE] SELECT completed",
        ],
      );
      deepStrictEqual(await exchange(wire, "d FETCH 1:* MODSEQ"), [
        "* 1 FETCH (UID 1 MODSEQ (2))",
        "* 2 FETCH (UID 3 MODSEQ (1))",
        "d OK FETCH completed",
      ]);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a flag change made by another program (a renamed Maildir file) gets a new MODSEQ", async () => {
  await using f = await wireFixture([mail("a"), mail("b")]);
  using wire = await f.connect();
  await exchange(wire, "s SELECT INBOX (CONDSTORE)");
  // As mutt or Dovecot would: rename cur/<id>:2, to cur/<id>:2,F.
  const cur = `${f.root}/alice/cur`;
  const names = [];
  for await (const entry of Deno.readDir(cur)) names.push(entry.name);
  const target = names.sort().find((n) => n.endsWith(":2,"))!;
  // UIDs 1 and 2 are sequence numbers 1 and 2.
  const seq = await uidFromList(`${f.root}/alice`, target.split(":")[0]);
  await Deno.rename(`${cur}/${target}`, `${cur}/${target}F`);
  deepStrictEqual(await exchange(wire, "a NOOP"), [
    `* ${seq} FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (2))`,
    "a OK NOOP completed",
  ]);
  deepStrictEqual(await exchange(wire, "b STATUS INBOX (HIGHESTMODSEQ)"), [
    '* STATUS "INBOX" (HIGHESTMODSEQ 2)',
    "b OK STATUS completed",
  ]);
  // Deleting the file from outside is an expunge at the next MODSEQ.
  await Deno.remove(`${cur}/${target}F`);
  deepStrictEqual(await exchange(wire, "c NOOP"), [`* ${seq} EXPUNGE`, "c OK NOOP completed"]);
  deepStrictEqual(
    (await exchange(wire, "d STATUS INBOX (HIGHESTMODSEQ)"))[0],
    '* STATUS "INBOX" (HIGHESTMODSEQ 3)',
  );
});

/** The UID the uidlist gives a Maildir id. */
async function uidFromList(dir: string, id: string): Promise<number> {
  const text = await Deno.readTextFile(`${dir}/course-uidlist`);
  const line = text.split("\n").find((l) => l.endsWith(" " + id))!;
  return Number(line.split(" ")[0]);
}

async function login(port: number): Promise<Wire> {
  const wire = await rawConnection(port);
  await wire.send("L0 LOGIN alice pw\r\n");
  await wire.until("L0 ");
  return wire;
}

Deno.test("ModseqLog replays its file, ignores a torn last line and rewrites it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "modseq-" });
  try {
    const log = await ModseqLog.open(dir, 7);
    ok(await log.observe([{ uid: 1, letters: "" }, { uid: 2, letters: "S" }]));
    ok(!(await log.observe([{ uid: 1, letters: "" }, { uid: 2, letters: "S" }])));
    ok(await log.observe([{ uid: 2, letters: "FS" }]));
    deepStrictEqual(
      await Deno.readTextFile(`${dir}/${MODSEQ_FILE}`),
      "course-modseq 1 7 0\n1 1 =\n1 2 =S\n2 2 =FS\n2 1 !\n",
    );
    // A crash in the middle of an append: the torn line is ignored, the file rewritten.
    await Deno.writeTextFile(`${dir}/${MODSEQ_FILE}`, "3 2 =", { append: true });
    const back = await ModseqLog.open(dir, 7);
    deepStrictEqual([back.highest, back.modseqOf(2), back.vanishedSince(1)], [2, 2, [1]]);
    deepStrictEqual(
      await Deno.readTextFile(`${dir}/${MODSEQ_FILE}`),
      "course-modseq 1 7 0\n2 1 !\n2 2 =FS\n",
    );
    // Another UIDVALIDITY: the old messages are forgotten, the numbers keep growing.
    const renewed = await ModseqLog.open(dir, 8);
    deepStrictEqual([renewed.highest, renewed.modseqOf(2), renewed.vanishedSince(1)], [2, 0, null]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModseqLog remembers the newest expunges only, and says when it forgot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "modseq-" });
  try {
    const log = await ModseqLog.open(dir, 1);
    const many = Array.from({ length: MAX_EXPUNGED + 5 }, (_, i) => ({ uid: i + 1, letters: "" }));
    await log.observe(many); // MODSEQ 1: all arrive
    await log.observe(many.slice(0, 3)); // MODSEQ 2: all but 3 expunged
    deepStrictEqual(log.vanishedSince(2), []);
    deepStrictEqual(log.vanishedSince(1), null); // the two oldest expunges were dropped
    await log.observe([]); // MODSEQ 3: the last three
    deepStrictEqual(log.vanishedSince(2), [1, 2, 3]);
    // Reading the file back gives the same answers.
    const back = await ModseqLog.open(dir, 1);
    deepStrictEqual([back.highest, back.forgotten, back.vanishedSince(2)], [3, 2, [1, 2, 3]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModseqLog rewrites its file once it holds far more lines than it needs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "modseq-" });
  try {
    const log = await ModseqLog.open(dir, 1);
    for (let i = 0; i < 1100; i++) await log.observe([{ uid: 1, letters: i % 2 ? "S" : "" }]);
    const lines = (await Deno.readTextFile(`${dir}/${MODSEQ_FILE}`)).split("\n").length;
    ok(lines < 1010, `${lines} lines`);
    const back = await ModseqLog.open(dir, 1);
    deepStrictEqual([back.highest, back.modseqOf(1)], [1100, 1100]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the RFC 7162 sections the CONDSTORE and QRESYNC modules cite exist", async () => {
  for (const name of ["modseq.ts", "condstore.ts", "qresync.ts", "selected.ts"]) {
    const text = await Deno.readTextFile(new URL(name, import.meta.url));
    const cited = text.match(/RFC 7162 [\d.]+\d/g) ?? [];
    ok(name === "selected.ts" || cited.length > 0, name);
    deepStrictEqual(unknownCitations(cited.join("; ")), [], name);
  }
});

Deno.test("SORT with MODSEQ answers with the highest MODSEQ found (RFC 7162 3.1.9)", async () => {
  await using f = await wireFixture([mail("b"), mail("a"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "s SELECT INBOX (CONDSTORE)");
  await exchange(wire, "a STORE 1 +FLAGS.SILENT (\\Seen)"); // MODSEQ 2
  deepStrictEqual(await exchange(wire, "b SORT (SUBJECT) UTF-8 MODSEQ 1"), [
    "* SORT 2 1 3 (MODSEQ 2)",
    "b OK SORT completed",
  ]);
  deepStrictEqual(await exchange(wire, "c UID SORT RETURN (MIN) (SUBJECT) UTF-8 MODSEQ 1"), [
    '* ESEARCH (TAG "c") UID MIN 2 MODSEQ 1',
    "c OK UID SORT completed",
  ]);
  deepStrictEqual(await exchange(wire, "d SORT (SUBJECT) UTF-8 ALL"), [
    "* SORT 2 1 3",
    "d OK SORT completed",
  ]);
});

Deno.test("malformed CONDSTORE and QRESYNC arguments get BAD and change nothing", async () => {
  await using f = await wireFixture([mail("a"), mail("b")]);
  using wire = await f.connect();
  await exchange(wire, "e ENABLE QRESYNC");
  const validity = await uidValidity(wire);
  const cases: [string, string][] = [
    [
      "a SELECT INBOX (QRESYNC)",
      "a BAD QRESYNC parameter: expected (uidvalidity modseq [known-uids [(sequences uids)]])",
    ],
    [
      "b SELECT INBOX (QRESYNC (x 1))",
      "b BAD QRESYNC parameter: UIDVALIDITY must be a number from 1 to 4294967295",
    ],
    [
      `c SELECT INBOX (QRESYNC (${validity} 1 1:2 (1)))`,
      "c BAD QRESYNC parameter: the message sequence match data is (sequence-set uid-set)",
    ],
    [
      `d SELECT INBOX (QRESYNC (${validity} 1 0:2))`,
      'd BAD Cannot parse sequence set "0:2": "0" is not a number from 1 to 4294967295 or "*"',
    ],
    [
      "f SELECT INBOX (CONDSTORE) more",
      "f BAD SELECT expects a mailbox name and optional parameters",
    ],
    ["g SELECT INBOX CONDSTORE", "g BAD SELECT parameters must be a list"],
  ];
  for (const [command, answer] of cases) {
    deepStrictEqual(await exchange(wire, command), [answer], command);
  }
  await exchange(wire, "s SELECT INBOX");
  const selected: [string, string][] = [
    [
      "h FETCH 1 (FLAGS) (CHANGEDSINCE)",
      "h BAD CHANGEDSINCE expects a mod-sequence, a number from 0 to 2^63 - 1",
    ],
    ["i FETCH 1 (FLAGS) CHANGEDSINCE", "i BAD FETCH modifiers must be a list"],
    [
      "j STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)",
      "j BAD UNCHANGEDSINCE expects a mod-sequence, a number from 0 to 2^63 - 1",
    ],
    ["k SEARCH MODSEQ", "k BAD Cannot parse SEARCH: the number after MODSEQ missing at the end"],
    [
      "l SEARCH MODSEQ 99999999999999999999",
      "l BAD Cannot parse SEARCH: MODSEQ needs a number from 0 to 2^63 - 1",
    ],
  ];
  for (const [command, answer] of selected) {
    deepStrictEqual(await exchange(wire, command), [answer], command);
  }
  // Huge sets cost no more than the mailbox holds: the answer comes, and nothing vanished.
  deepStrictEqual(
    afterUidNext(
      await exchange(
        wire,
        `m SELECT INBOX (QRESYNC (${validity} 1 1:4294967295 (1:4294967295 1:4294967295)))`,
      ),
    ),
    ["* OK [HIGHESTMODSEQ 1] Highest", "m OK [READ-WRITE] SELECT completed"],
  );
  deepStrictEqual(
    await exchange(wire, "n UID FETCH 1:4294967295 (FLAGS) (CHANGEDSINCE 1 VANISHED)"),
    [
      "n OK UID FETCH completed",
    ],
  );
  deepStrictEqual(await exchange(wire, "o FETCH 1:* MODSEQ"), [
    "* 1 FETCH (UID 1 MODSEQ (1))",
    "* 2 FETCH (UID 2 MODSEQ (1))",
    "o OK FETCH completed",
  ]);
});

Deno.test("asked about expunges older than it remembers, QRESYNC names every UID that is gone", async () => {
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "e ENABLE QRESYNC");
  const validity = await uidValidity(wire);
  await exchange(wire, "s SELECT INBOX");
  await exchange(wire, "a UID STORE 2 +FLAGS.SILENT (\\Deleted)");
  await exchange(wire, "b UID EXPUNGE 2"); // MODSEQ 3
  // A MODSEQ the folder never reached (the client's cache is from a lost log): every
  // UID below UIDNEXT that is not here is reported, which may be more than vanished.
  deepStrictEqual(await exchange(wire, "c UID FETCH 1:* (FLAGS) (CHANGEDSINCE 50 VANISHED)"), [
    "* VANISHED (EARLIER) 2",
    "c OK UID FETCH completed",
  ]);
  deepStrictEqual(afterUidNext(await exchange(wire, `d SELECT INBOX (QRESYNC (${validity} 50))`)), [
    "* OK [HIGHESTMODSEQ 3] Highest",
    "* VANISHED (EARLIER) 2",
    "d OK [READ-WRITE] SELECT completed",
  ]);
});

Deno.test("UID FETCH 1:* (CHANGEDSINCE n VANISHED) reports an expunged highest UID too", async () => {
  // "*" is the highest UID in use, which no longer names the expunged one: the server
  // reads it as UIDNEXT - 1 here, so that the newest message's expunge is not missed.
  await using f = await wireFixture([mail("a"), mail("b"), mail("c")]);
  using wire = await f.connect();
  await exchange(wire, "e ENABLE QRESYNC");
  await exchange(wire, "s SELECT INBOX");
  await exchange(wire, "a UID STORE 3 +FLAGS.SILENT (\\Deleted)");
  deepStrictEqual(await exchange(wire, "b UID EXPUNGE 3"), [
    "* VANISHED 3",
    "b OK [HIGHESTMODSEQ 3] UID EXPUNGE completed",
  ]);
  deepStrictEqual(await exchange(wire, "c UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"), [
    "* VANISHED (EARLIER) 3",
    "c OK UID FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "d UID FETCH 2:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"), [
    "* VANISHED (EARLIER) 3",
    "d OK UID FETCH completed",
  ]);
});
