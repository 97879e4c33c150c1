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
  await wire.send("g SEARCH RETURN (PARTIAL) ALL\r\n");
  deepStrictEqual(await wire.line(), 'g BAD Unknown RETURN option "PARTIAL"');
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
