/**
 * What the fuzzers (tests/fuzz/imap.ts) found, kept as byte-exact regressions: the bytes
 * that broke a rule, and the exact reply RFC 3501 asks for now.
 */
import { deepStrictEqual } from "node:assert/strict";
import { parseResponse } from "./response.ts";
import { wireFixture } from "./wire_test_helpers.ts";

Deno.test("a quoted string holding CR, LF or NUL gets a tagged BAD (RFC 3501 9 TEXT-CHAR)", async () => {
  await using f = await wireFixture();
  using wire = await f.connect();
  // Found by the command parser target: "INBO\r" was read as a mailbox name.
  await wire.send('a SELECT "INBO\r"\r\n');
  deepStrictEqual(
    await wire.line(),
    "a BAD Cannot parse: CR inside a quoted string (column 15); send such octets as a literal",
  );
  await wire.send('b LOGIN "al\0ice" pw\r\n');
  deepStrictEqual(
    await wire.line(),
    "b BAD Cannot parse: NUL inside a quoted string (column 12); send such octets as a literal",
  );
  await wire.send("c NOOP\r\n");
  deepStrictEqual(await wire.line(), "c OK NOOP completed");
});

Deno.test("a tag holding [ is a tag: the server answers it, the client reads the answer", async () => {
  // Found by the socket target: the server answered `BODY[4 SELECT "INBOX"` with BAD, and
  // our response parser read the tag `BODY[4` as the start of a section. `[` is an
  // ATOM-CHAR, so RFC 3501 9 allows it in a tag.
  await using f = await wireFixture();
  using wire = await f.connect();
  await wire.send('BODY[4 SELECT "INBOX"\r\n');
  const reply = await wire.until("BODY[4 ");
  deepStrictEqual(reply.at(-1), "BODY[4 OK [READ-WRITE] SELECT completed");
  const response = parseResponse({ lines: [reply.at(-1)!], literals: [], size: 0 });
  deepStrictEqual([response.tag, response.type, response.code?.name], [
    "BODY[4",
    "OK",
    "READ-WRITE",
  ]);
});

Deno.test("a backslash before a CR in a quoted string is refused without echoing the CR", async () => {
  // Found by the socket target's long run: `SELECT "INBO\<CR>X"` was answered with a BAD
  // whose text held the bare CR, a reply line with a CR inside it (RFC 3501 9 `text`).
  await using f = await wireFixture();
  using wire = await f.connect();
  await wire.send('a SELECT "INBO\\\rX"\r\n');
  deepStrictEqual(
    await wire.line(),
    'a BAD Cannot parse: a backslash before "\\r" is not an escape in a quoted string (column 17)',
  );
  await wire.send("b NOOP\r\n");
  deepStrictEqual(await wire.line(), "b OK NOOP completed");
});
