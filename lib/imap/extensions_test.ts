/**
 * Extensions on the wire, byte for byte: ESEARCH (RFC 4731), ESORT (RFC 5267) and
 * BINARY (RFC 3516).
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { wireFixture } from "./wire_test_helpers.ts";

const mail = (subject: string) => `Subject: ${subject}\r\n\r\nbody ${subject}\r\n`;

Deno.test("SEARCH RETURN and SORT RETURN answer with one ESEARCH line", async () => {
  await using f = await wireFixture(["c", "a", "b", "d", "e"].map(mail));
  using wire = await f.connect();
  await wire.send("s SELECT INBOX\r\na STORE 2,4 +FLAGS.SILENT (\\Seen)\r\n");
  await wire.until("a ");
  const lines: [string, string][] = [
    ["b SEARCH RETURN (MIN MAX COUNT ALL) SEEN", '* ESEARCH (TAG "b") MIN 2 MAX 4 ALL 2,4 COUNT 2'],
    ["c UID SEARCH RETURN () ALL", '* ESEARCH (TAG "c") UID ALL 1:5'],
    ["d SEARCH RETURN (MIN) 1000", '* ESEARCH (TAG "d")'],
    ["e SEARCH RETURN (COUNT) 1000", '* ESEARCH (TAG "e") COUNT 0'],
    [
      "f SORT RETURN (MIN MAX ALL) (SUBJECT) UTF-8 ALL",
      '* ESEARCH (TAG "f") MIN 2 MAX 5 ALL 2:3,1,4:5',
    ],
  ];
  for (const [command, answer] of lines) {
    await wire.send(command + "\r\n");
    const tag = command.split(" ")[0];
    deepStrictEqual((await wire.until(tag + " ")).slice(0, -1), [answer], command);
  }
  await wire.send("g SEARCH RETURN (BOGUS) ALL\r\n");
  deepStrictEqual(await wire.line(), 'g BAD Unknown RETURN option "BOGUS"');
});

Deno.test("BINARY[] decodes base64 and quoted-printable parts; literal8 carries NUL both ways", async () => {
  const message = [
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Transfer-Encoding: base64",
    "",
    "AAECAw==",
    "--b",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "caf=C3=A9 =",
    "au lait",
    "--b",
    "Content-Transfer-Encoding: x-uuencode",
    "",
    "begin",
    "--b--",
    "",
  ].join("\r\n");
  await using f = await wireFixture([message]);
  using wire = await f.connect();
  await wire.send("s SELECT INBOX\r\n");
  await wire.until("s ");
  await wire.send("a FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[2]<0.4>)\r\n");
  const bytes = new TextDecoder("latin1").decode(
    new Uint8Array((await wire.until("a ")).join("\n").split("").map((c) => c.charCodeAt(0))),
  );
  ok(
    bytes.startsWith("* 1 FETCH (BINARY.SIZE[1] 4 BINARY[1] ~{4}"),
    JSON.stringify(bytes),
  );
  await wire.send("b FETCH 1 BINARY.PEEK[2]\r\n");
  deepStrictEqual(await wire.until("b "), [
    "* 1 FETCH (BINARY[2] {13}",
    "café au lait)",
    "b OK FETCH completed",
  ]);
  await wire.send("c FETCH 1 BINARY.PEEK[3]\r\n");
  deepStrictEqual(await wire.until("c "), [
    'c NO [UNKNOWN-CTE] Cannot decode the part: unknown Content-Transfer-Encoding "x-uuencode"',
  ]);
  await wire.send("d FETCH 1 BINARY.PEEK[1.HEADER]\r\n");
  deepStrictEqual(await wire.line(), "d BAD FETCH: BINARY.PEEK[...] takes a part number only");
  // APPEND with a literal8: the binary part is stored in base64, BINARY gives it back.
  const appended = "Content-Transfer-Encoding: binary\r\n\r\na\0b";
  await wire.send(`e APPEND INBOX ~{${appended.length}+}\r\n${appended}\r\n`);
  const stored = await wire.until("e ");
  deepStrictEqual(stored.slice(0, 2), ["* 2 EXISTS", "* 2 RECENT"]);
  ok(stored[2].startsWith("e OK [APPENDUID "), stored[2]);
  await wire.send("f FETCH 2 (BODY.PEEK[1] BINARY.SIZE[1])\r\n");
  deepStrictEqual(await wire.until("f "), [
    "* 2 FETCH (BODY[1] {4}",
    "YQBi BINARY.SIZE[1] 3)",
    "f OK FETCH completed",
  ]);
  await wire.send(`g APPEND INBOX {${appended.length}+}\r\n${appended}\r\n`);
  deepStrictEqual(await wire.line(), "g NO APPEND: NUL in a message needs a literal8 (~{n})");
});

Deno.test("MULTIAPPEND stores several messages in one command, CATENATE builds one from URLs and text", async () => {
  await using f = await wireFixture(["Subject: one\r\n\r\nbody one\r\n"]);
  using wire = await f.connect();
  const exchange = async (command: string) => {
    await wire.send(command + "\r\n");
    return await wire.until(command.split(" ")[0] + " ");
  };
  const validity =
    /UIDVALIDITY (\d+)/.exec((await exchange("v STATUS INBOX (UIDVALIDITY)"))[0])![1];
  deepStrictEqual(
    await exchange(
      'a APPEND INBOX (\\Seen) {9+}\r\nX: 1\r\n\r\nA (\\Flagged) " 1-Feb-2024 10:00:00 +0000" {9+}\r\nX: 2\r\n\r\nB',
    ),
    [`a OK [APPENDUID ${validity} 2:3] APPEND completed`],
  );
  deepStrictEqual(
    await exchange(
      'b APPEND INBOX CATENATE (URL "/INBOX/;UID=1/;SECTION=HEADER" TEXT {6+}\r\nglued!)',
    ),
    [`b OK [APPENDUID ${validity} 4] APPEND completed`],
  );
  deepStrictEqual(await exchange('c APPEND INBOX CATENATE (URL "/INBOX;UIDVALIDITY=1/;UID=1")'), [
    'c NO [BADURL "/INBOX;UIDVALIDITY=1/;UID=1"] Cannot use URL "/INBOX;UIDVALIDITY=1/;UID=1": ' +
    "the UIDVALIDITY has changed",
  ]);
  deepStrictEqual(await exchange('d APPEND Nowhere CATENATE (URL "/INBOX/;UID=1")'), [
    'd NO [TRYCREATE] No such mailbox "Nowhere"',
  ]);
  await exchange("s EXAMINE INBOX");
  deepStrictEqual(await exchange("m FETCH 2:* (FLAGS BODY.PEEK[])"), [
    "* 2 FETCH (FLAGS (\\Seen \\Recent) BODY[] {9}",
    "X: 1",
    "",
    "A)",
    "* 3 FETCH (FLAGS (\\Flagged \\Recent) BODY[] {9}",
    "X: 2",
    "",
    "B)",
    "* 4 FETCH (FLAGS (\\Recent) BODY[] {22}",
    "Subject: one",
    "",
    "glued!)",
    "m OK FETCH completed",
  ]);
});

Deno.test("LIST-EXTENDED, LIST-STATUS and SPECIAL-USE", async () => {
  await using f = await wireFixture(["Subject: one\r\n\r\nbody one\r\n"]);
  using wire = await f.connect();
  const exchange = async (command: string) => {
    await wire.send(command + "\r\n");
    return await wire.until(command.split(" ")[0] + " ");
  };
  for (const c of ["e CREATE Sent", "f CREATE Archive/2024", "g SUBSCRIBE Archive/2024"]) {
    await exchange(c);
  }
  deepStrictEqual(await exchange('h LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)'), [
    '* LIST (\\HasChildren) "/" "Archive" (CHILDINFO ("SUBSCRIBED"))',
    "h OK LIST completed",
  ]);
  deepStrictEqual(await exchange('i LIST "" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN))'), [
    '* LIST (\\HasNoChildren) "/" "INBOX"',
    '* STATUS "INBOX" (MESSAGES 1 UNSEEN 1)',
    '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
    '* STATUS "Sent" (MESSAGES 0 UNSEEN 0)',
    "i OK LIST completed",
  ]);
  deepStrictEqual(await exchange('j LIST (SPECIAL-USE) "" *'), [
    '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
    "j OK LIST completed",
  ]);
  deepStrictEqual(await exchange('k LIST (SUBSCRIBED) "" * RETURN (SUBSCRIBED)'), [
    '* LIST (\\Subscribed) "/" "Archive/2024"',
    "k OK LIST completed",
  ]);
  deepStrictEqual(await exchange('l LIST (RECURSIVEMATCH) "" %'), [
    "l BAD LIST: RECURSIVEMATCH needs the SUBSCRIBED selection option",
  ]);
  deepStrictEqual(await exchange('m LIST "" % RETURN (BOGUS)'), [
    'm BAD LIST: unknown return option "BOGUS"',
  ]);
});

Deno.test("CONTEXT=SEARCH: PARTIAL pages the results; UPDATE reports ADDTO and REMOVEFROM until CANCELUPDATE", async () => {
  await using f = await wireFixture(["a", "b", "c", "d", "e"].map(mail));
  using wire = await f.connect();
  const exchange = async (command: string) => {
    await wire.send(command + "\r\n");
    return await wire.until(command.split(" ")[0] + " ");
  };
  await exchange("s SELECT INBOX");
  deepStrictEqual(await exchange("a SEARCH RETURN (PARTIAL 4:2) ALL"), [
    '* ESEARCH (TAG "a") PARTIAL (2:4 2:4)',
    "a OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange("b SEARCH RETURN (PARTIAL 6:9) ALL"), [
    '* ESEARCH (TAG "b") PARTIAL (6:9 NIL)',
    "b OK SEARCH completed",
  ]);
  deepStrictEqual(await exchange("c SEARCH RETURN (PARTIAL 1:*) ALL"), [
    "c BAD PARTIAL expects a range of positions like 1:50",
  ]);
  deepStrictEqual(
    await exchange("u SEARCH RETURN (UPDATE ALL) SEEN"),
    [
      '* ESEARCH (TAG "u")',
      "u OK SEARCH completed",
    ],
  );
  deepStrictEqual(await exchange("d STORE 2,4 +FLAGS.SILENT (\\Seen)"), [
    '* ESEARCH (TAG "u") ADDTO (1 2,4)',
    "d OK STORE completed",
  ]);
  deepStrictEqual(await exchange("e STORE 4:5 +FLAGS.SILENT (\\Deleted)"), [
    "e OK STORE completed",
  ]);
  deepStrictEqual(await exchange("f EXPUNGE"), [
    '* ESEARCH (TAG "u") REMOVEFROM (0 4)',
    "* 5 EXPUNGE",
    "* 4 EXPUNGE",
    "f OK EXPUNGE completed",
  ]);
  deepStrictEqual(await exchange('g CANCELUPDATE "u"'), ["g OK CANCELUPDATE completed"]);
  deepStrictEqual(await exchange("h STORE 1 +FLAGS.SILENT (\\Seen)"), ["h OK STORE completed"]);
  deepStrictEqual(await exchange('i CANCELUPDATE "u"'), [
    'i BAD CANCELUPDATE: no live search "u"',
  ]);
});
