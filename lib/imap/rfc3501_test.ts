/**
 * The server's answers byte for byte where RFC 3501 (and RFC 6851 MOVE) says exactly what
 * they must be: atoms, NIL, \Recent, sent dates, addresses with comments, MOVE into the
 * selected mailbox, LSUB with %, UIDVALIDITY and keywords.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { KEYWORDS_FILE } from "./keywords.ts";
import { wireFixture } from "./wire_test_helpers.ts";

const message = (subject: string) =>
  "From: <a (c)@ (c) b.org>\r\nCc: group2: (foo) ;\r\n" +
  `Date: Sun, 25 Mar 2007 00:00:00 +0200\r\nSubject: ${subject}\r\n\r\nbody\r\n`;

/** Send one command and return every line up to its tagged answer. */
async function exchange(wire: Awaited<ReturnType<typeof connectAlice>>, command: string) {
  await wire.send(command + "\r\n");
  return await wire.until(command.split(" ")[0] + " ");
}

type Fixture = Awaited<ReturnType<typeof wireFixture>>;
function connectAlice(f: Fixture) {
  return f.connect();
}

/** The UIDVALIDITY a STATUS reply names. */
function uidValidityOf(lines: string[]): number {
  const m = /UIDVALIDITY (\d+)/.exec(lines[0]);
  if (!m) throw new Error(lines.join("\n"));
  return Number(m[1]);
}

Deno.test("atoms may hold <, [ and ] (RFC 3501 9 ATOM-CHAR, ASTRING-CHAR)", async () => {
  await using f = await wireFixture();
  using wire = await connectAlice(f);
  deepStrictEqual(await exchange(wire, "a SELECT a<b"), [
    'a NO [NONEXISTENT] No such mailbox "a<b"',
  ]);
  deepStrictEqual(await exchange(wire, "b SELECT a[b"), [
    'b NO [NONEXISTENT] No such mailbox "a[b"',
  ]);
  deepStrictEqual(await exchange(wire, "c SELECT a]b"), [
    'c NO [NONEXISTENT] No such mailbox "a]b"',
  ]);
  deepStrictEqual(await exchange(wire, 'd LIST "" !#$\'+,-.0123456789:;<=>?@^_`|[}%*'), [
    "d OK LIST completed",
  ]);
  deepStrictEqual(await exchange(wire, "e CREATE x[1]"), ["e OK CREATE completed"]);
  deepStrictEqual(await exchange(wire, 'f LIST "" x[*'), [
    '* LIST (\\HasNoChildren) "/" "x[1]"',
    "f OK LIST completed",
  ]);
});

Deno.test("NIL is a plain word where an astring or a flag is expected", async () => {
  await using f = await wireFixture([message("nil here"), message("two")]);
  using wire = await connectAlice(f);
  await exchange(wire, "s SELECT INBOX");
  deepStrictEqual(await exchange(wire, "a SEARCH SUBJECT NIL"), [
    "* SEARCH 1",
    "a OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "b STORE 1 +FLAGS NIL"), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft NIL)",
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft NIL \\*)] Flags permitted",
    "* 1 FETCH (FLAGS (NIL \\Recent))",
    "b OK STORE completed",
  ]);
  deepStrictEqual(await exchange(wire, 'c LIST "" NIL'), ["c OK LIST completed"]);
});

Deno.test("\\Recent: APPEND and COPY make mail recent; EXAMINE, STATUS and SEARCH agree; SELECT claims it", async () => {
  await using f = await wireFixture([message("one")]);
  using wire = await connectAlice(f);
  using other = await connectAlice(f);
  await exchange(wire, "p CREATE Box");
  await wire.send("q APPEND Box {8+}\r\nX: y\r\n\r\n\r\n");
  ok((await wire.line()).startsWith("q OK [APPENDUID "));
  deepStrictEqual(await exchange(wire, "r STATUS Box (RECENT)"), [
    '* STATUS "Box" (RECENT 1)',
    "r OK STATUS completed",
  ]);
  const examined = await exchange(wire, "t EXAMINE Box");
  ok(examined.includes("* 1 RECENT"), examined.join("\n"));
  deepStrictEqual(await exchange(wire, "u SEARCH RECENT"), ["* SEARCH 1", "u OK SEARCH completed"]);
  deepStrictEqual(await exchange(wire, "v SEARCH NEW"), ["* SEARCH 1", "v OK SEARCH completed"]);
  deepStrictEqual(await exchange(wire, "w FETCH 1 FLAGS"), [
    "* 1 FETCH (FLAGS (\\Recent))",
    "w OK FETCH completed",
  ]);
  // EXAMINE must not take \Recent away (RFC 3501 6.3.2): still there for others.
  deepStrictEqual(await exchange(other, "x STATUS Box (RECENT)"), [
    '* STATUS "Box" (RECENT 1)',
    "x OK STATUS completed",
  ]);
  const selected = await exchange(other, "y SELECT Box");
  ok(selected.includes("* 1 RECENT"), selected.join("\n"));
  deepStrictEqual(await exchange(wire, "z STATUS Box (RECENT)"), [
    '* STATUS "Box" (RECENT 0)',
    "z OK STATUS completed",
  ]);
  await exchange(wire, "A SELECT INBOX");
  const validity = uidValidityOf(await exchange(wire, "C STATUS Box (UIDVALIDITY)"));
  deepStrictEqual(await exchange(wire, "B COPY 1 Box"), [
    `B OK [COPYUID ${validity} 1 2] COPY completed`,
  ]);
  // The session with Box selected is told, and claims the copy as recent.
  deepStrictEqual(await exchange(other, "D NOOP"), [
    "* 2 EXISTS",
    "* 2 RECENT",
    "D OK NOOP completed",
  ]);
  deepStrictEqual(await exchange(other, "E SEARCH RECENT"), [
    "* SEARCH 1 2",
    "E OK SEARCH completed",
  ]);
});

Deno.test("SENTON, SENTBEFORE and SENTSINCE use the date as written, not UTC", async () => {
  await using f = await wireFixture([message("one")]); // Sun, 25 Mar 2007 00:00:00 +0200
  using wire = await connectAlice(f);
  await exchange(wire, "s SELECT INBOX");
  deepStrictEqual(await exchange(wire, "a SEARCH SENTON 25-Mar-2007"), [
    "* SEARCH 1",
    "a OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "b SEARCH SENTON 24-Mar-2007"), [
    "* SEARCH",
    "b OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "c SEARCH SENTBEFORE 25-Mar-2007"), [
    "* SEARCH",
    "c OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "d SEARCH SENTSINCE 25-Mar-2007"), [
    "* SEARCH 1",
    "d OK SEARCH completed",
  ]);
});

Deno.test("comments in addresses stay out of ENVELOPE and SEARCH FROM finds the address", async () => {
  await using f = await wireFixture([message("one")]);
  using wire = await connectAlice(f);
  await exchange(wire, "s SELECT INBOX");
  deepStrictEqual(await exchange(wire, "a FETCH 1 ENVELOPE"), [
    '* 1 FETCH (ENVELOPE ("Sun, 25 Mar 2007 00:00:00 +0200" "one" ((NIL NIL "a" "b.org")) ' +
    '((NIL NIL "a" "b.org")) ((NIL NIL "a" "b.org")) NIL ' +
    '((NIL NIL "group2" NIL) (NIL NIL NIL NIL)) NIL NIL NIL))',
    "a OK FETCH completed",
  ]);
  deepStrictEqual(await exchange(wire, 'b SEARCH FROM "a@b.org"'), [
    "* SEARCH 1",
    "b OK SEARCH completed",
  ]);
});

Deno.test("MOVE into the selected mailbox moves: a new UID, the original expunged (RFC 6851 3.1)", async () => {
  await using f = await wireFixture([message("one"), message("two")]);
  using wire = await connectAlice(f);
  const selected = await exchange(wire, "s SELECT INBOX");
  const validity = /UIDVALIDITY (\d+)/.exec(selected.join("\n"))![1];
  deepStrictEqual(await exchange(wire, "a MOVE 1 INBOX"), [
    `* OK [COPYUID ${validity} 1 3] Moved`,
    "* 1 EXPUNGE",
    "* 2 EXISTS",
    "* 2 RECENT",
    "a OK MOVE completed",
  ]);
  deepStrictEqual(await exchange(wire, "b UID SEARCH ALL"), [
    "* SEARCH 2 3",
    "b OK UID SEARCH completed",
  ]);
  deepStrictEqual((await f.box.list()).length, 2);
});

Deno.test("LSUB with % returns the unsubscribed parent of a subscribed child as \\Noselect", async () => {
  await using f = await wireFixture();
  using wire = await connectAlice(f);
  await exchange(wire, "a CREATE foo/bar");
  await exchange(wire, "b SUBSCRIBE foo/bar");
  deepStrictEqual(await exchange(wire, 'c LSUB "" %'), [
    '* LSUB (\\Noselect) "/" "foo"',
    "c OK LSUB completed",
  ]);
  deepStrictEqual(await exchange(wire, 'd LSUB "" *'), [
    '* LSUB () "/" "foo/bar"',
    "d OK LSUB completed",
  ]);
});

Deno.test("UIDVALIDITY is never reused, even for a mailbox deleted and created in the same second", async () => {
  await using f = await wireFixture();
  using wire = await connectAlice(f);
  await exchange(wire, "a CREATE u");
  const first = uidValidityOf(await exchange(wire, "b STATUS u (UIDVALIDITY)"));
  await exchange(wire, "c DELETE u");
  await exchange(wire, "d CREATE u");
  const second = uidValidityOf(await exchange(wire, "e STATUS u (UIDVALIDITY)"));
  ok(second > first, `${second} must be above ${first}`);
});

Deno.test("keywords are kept the Dovecot way (dovecot-keywords, letters a-z) with PERMANENTFLAGS \\*", async () => {
  await using f = await wireFixture([message("one")]);
  using wire = await connectAlice(f);
  const selected = await exchange(wire, "s SELECT INBOX");
  ok(
    selected.includes(
      "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] " +
        "Flags and keywords stored in the Maildir",
    ),
    selected.join("\n"),
  );
  deepStrictEqual(await exchange(wire, "a STORE 1 +FLAGS ($Forwarded $Junk \\Seen)"), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded $Junk)",
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded $Junk \\*)] " +
    "Flags permitted",
    "* 1 FETCH (FLAGS (\\Seen $Forwarded $Junk \\Recent))",
    "a OK STORE completed",
  ]);
  deepStrictEqual(
    await Deno.readTextFile(`${f.root}/alice/${KEYWORDS_FILE}`),
    "0 $Forwarded\n1 $Junk\n",
  );
  deepStrictEqual((await f.box.list())[0].flags, "Sab");
  deepStrictEqual(await exchange(wire, "b STORE 1 -FLAGS ($forwarded)"), [
    "* 1 FETCH (FLAGS (\\Seen $Junk \\Recent))",
    "b OK STORE completed",
  ]);
  deepStrictEqual(await exchange(wire, "c SEARCH KEYWORD $junk"), [
    "* SEARCH 1",
    "c OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange(wire, "d STORE 1 +FLAGS (\\Bogus)"), [
    "d BAD STORE: invalid system flag \\Bogus",
  ]);
});
