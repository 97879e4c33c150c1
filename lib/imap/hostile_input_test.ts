/**
 * Hostile input against the IMAP server, byte for byte: what an attacker or a careless
 * client sends, the exact answer RFC 3501 prescribes, and the session going on after it.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { readSubscriptions, SUBSCRIPTIONS_FILE } from "./subscriptions.ts";
import { wireFixture } from "./wire_test_helpers.ts";

const MESSAGE = "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n";

Deno.test("before login, literals may hold 16 KiB per command in total", async (t) => {
  await using f = await wireFixture();
  await t.step("a synchronizing literal over the budget gets NO [TOOBIG], no +", async () => {
    using wire = await f.connect(false);
    await wire.send("a LOGIN {33554432}\r\n");
    deepStrictEqual(
      await wire.line(),
      [
        "a NO [TOOBIG] Literal too large: 33554432 octets announced, the limit is 16384",
      ][0],
    );
    await wire.send("b NOOP\r\n");
    deepStrictEqual(await wire.line(), "b OK NOOP completed");
  });
  await t.step("literals that add up past the budget get NO [TOOBIG]", async () => {
    using wire = await f.connect(false);
    await wire.send("a LOGIN {10000}\r\n");
    deepStrictEqual(await wire.line(), "+ Ready for literal data");
    await wire.send("x".repeat(10000) + " {10000}\r\n");
    deepStrictEqual(
      await wire.line(),
      "a NO [TOOBIG] Literals too large: 20000 octets in one command, the limit is 16384",
    );
    await wire.send("b LOGIN alice pw\r\n");
    ok((await wire.line()).startsWith("b OK [CAPABILITY "));
  });
  await t.step(
    "LITERAL+ past the budget: BAD [TOOBIG], then BYE (the octets are coming)",
    async () => {
      using wire = await f.connect(false);
      await wire.send("a LOGIN {8000+}\r\n" + "x".repeat(8000) + " {9000+}\r\n");
      deepStrictEqual(await wire.until("<closed>"), [
        "a BAD [TOOBIG] Literals too large: 17000 octets in one command, the limit is 16384",
        "* BYE Closing: cannot skip an oversized non-synchronizing literal",
        "<closed>",
      ]);
    },
  );
});

Deno.test("before login, a command's text besides its literals is bounded too", async (t) => {
  await using f = await wireFixture();
  const line = (n: number) => "y".repeat(n);
  await t.step("a synchronizing literal after 64 KiB of text gets NO [TOOBIG]", async () => {
    using wire = await f.connect(false);
    await wire.send(`a ID (${line(40_000)} {1+}\r\nx ${line(30_000)} {1}\r\n`);
    deepStrictEqual(
      await wire.line(),
      "a NO [TOOBIG] Command too long: 70016 octets of text besides its literals, the limit is 65536",
    );
    await wire.send("b NOOP\r\n");
    deepStrictEqual(await wire.line(), "b OK NOOP completed");
  });
  await t.step("a non-synchronizing one gets BAD [TOOBIG], then BYE", async () => {
    using wire = await f.connect(false);
    await wire.send(`a ID (${line(40_000)} {1+}\r\nx ${line(30_000)} {1+}\r\nx)\r\n`);
    deepStrictEqual(await wire.until("<closed>"), [
      "a BAD [TOOBIG] Command too long: 70017 octets of text besides its literals, the limit is 65536",
      "* BYE Closing: cannot skip an oversized non-synchronizing literal",
      "<closed>",
    ]);
  });
});

Deno.test("after login, one command's literals are bounded in total", async () => {
  await using f = await wireFixture([], { maxLiteralSize: 1000, maxCommandLiteralSize: 1500 });
  using wire = await f.connect();
  await wire.send("a APPEND INBOX {800+}\r\n" + "x".repeat(800) + " {800+}\r\n");
  deepStrictEqual(await wire.until("<closed>"), [
    "a BAD [TOOBIG] Literals too large: 1600 octets in one command, the limit is 1500",
    "* BYE Closing: cannot skip an oversized non-synchronizing literal",
    "<closed>",
  ]);
});

Deno.test("nesting 10,000 deep gets a tagged BAD, and the session goes on", async () => {
  await using f = await wireFixture([MESSAGE]);
  using wire = await f.connect();
  await wire.send("s SELECT INBOX\r\n");
  await wire.until("s OK");
  await wire.send("c FETCH 1 " + "(".repeat(10_000) + ")".repeat(10_000) + "\r\n");
  deepStrictEqual(
    await wire.line(),
    "c BAD Cannot parse: lists nested deeper than 100 levels at column 111",
  );
  await wire.send("d SEARCH " + "NOT ".repeat(15_000) + "ALL\r\n");
  deepStrictEqual(
    await wire.line(),
    "d BAD Cannot parse SEARCH: keys nested deeper than 100 levels",
  );
  await wire.send("e SEARCH " + "(".repeat(500) + "ALL" + ")".repeat(500) + "\r\n");
  deepStrictEqual(
    await wire.line(),
    "e BAD Cannot parse: lists nested deeper than 100 levels at column 110",
  );
  await wire.send("f SEARCH NOT NOT (NOT (ALL))\r\n");
  deepStrictEqual(await wire.until("f "), ["* SEARCH", "f OK SEARCH completed"]);
});

Deno.test("an overlong line inside IDLE ends IDLE with BAD, and the session goes on", async () => {
  await using f = await wireFixture([MESSAGE]);
  using wire = await f.connect();
  await wire.send("s SELECT INBOX\r\n");
  await wire.until("s OK");
  await wire.send("a IDLE\r\n");
  deepStrictEqual(await wire.line(), "+ idling");
  await wire.send("x".repeat(70_000) + "\r\n");
  deepStrictEqual(
    await wire.line(),
    "a BAD Line too long: 70000 bytes, the limit is 65536; expected DONE to end IDLE",
  );
  await wire.send("b NOOP\r\n");
  deepStrictEqual(await wire.line(), "b OK NOOP completed");
});

Deno.test("an overlong line during AUTHENTICATE cancels it with BAD, and the session goes on", async () => {
  await using f = await wireFixture();
  using wire = await f.connect(false);
  await wire.send("a AUTHENTICATE PLAIN\r\n");
  deepStrictEqual(await wire.line(), "+ ");
  await wire.send("A".repeat(70_000) + "\r\n");
  deepStrictEqual(
    await wire.line(),
    "a BAD AUTHENTICATE cancelled: Line too long: 70000 bytes, the limit is 65536",
  );
  await wire.send("b AUTHENTICATE PLAIN\r\n");
  deepStrictEqual(await wire.line(), "+ ");
  await wire.send(btoa("\0alice\0pw") + "\r\n");
  ok((await wire.line()).startsWith("b OK [CAPABILITY "));
});

Deno.test("SUBSCRIBE refuses CR, LF and NUL like CREATE, and the file cannot be injected", async (t) => {
  await using f = await wireFixture();
  using wire = await f.connect();
  await t.step("a name with LF, CR or NUL gets NO [CANNOT]", async () => {
    await wire.send("a SUBSCRIBE {10+}\r\nx\nForged\ny\r\n");
    deepStrictEqual(
      await wire.line(),
      'a NO [CANNOT] Cannot use mailbox name "x\\nForged\\ny": it contains a control character',
    );
    await wire.send("b SUBSCRIBE {3+}\r\nx\ry\r\n");
    deepStrictEqual(
      await wire.line(),
      'b NO [CANNOT] Cannot use mailbox name "x\\ry": it contains a control character',
    );
    await wire.send("c SUBSCRIBE {3+}\r\nx\0y\r\n");
    deepStrictEqual(
      await wire.line(),
      'c NO [CANNOT] Cannot use mailbox name "x\\u0000y": it contains NUL',
    );
    await wire.send('d LSUB "" *\r\n');
    deepStrictEqual(await wire.line(), "d OK LSUB completed");
  });
  await t.step(
    "names are stored one JSON string per line; a planted line is not listed",
    async () => {
      await wire.send('e SUBSCRIBE "Quote\\"d"\r\n');
      deepStrictEqual(await wire.line(), "e OK SUBSCRIBE completed");
      const file = `${f.root}/alice/${SUBSCRIPTIONS_FILE}`;
      deepStrictEqual(await Deno.readTextFile(file), '"Quote\\"d"\n');
      await Deno.writeTextFile(file, '"x\\nForged"\n"Sent"\n', { append: true });
      deepStrictEqual([...await readSubscriptions(`${f.root}/alice`)], ['Quote"d', "Sent"]);
      await wire.send('f LSUB "" *\r\n');
      deepStrictEqual(await wire.until("f "), [
        '* LSUB () "/" "Quote\\"d"',
        '* LSUB () "/" "Sent"',
        "f OK LSUB completed",
      ]);
    },
  );
});
