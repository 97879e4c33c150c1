import assert from "node:assert/strict";
import { SmtpError } from "./error.ts";
import {
  checkClientText,
  formatPathCommand,
  isMailbox,
  parseCommand,
  parseParams,
  parsePathArgument,
} from "./command.ts";

Deno.test("parseCommand() upper-cases the verb and keeps the argument", () => {
  assert.deepEqual(parseCommand("ehlo client.test"), { verb: "EHLO", arg: "client.test" });
  assert.deepEqual(parseCommand("QUIT"), { verb: "QUIT", arg: "" });
  assert.throws(() => parseCommand(""), (e) => e instanceof SmtpError && e.code === 500);
  assert.throws(() => parseCommand("12 x"), (e) => e instanceof SmtpError && e.code === 500);
});

Deno.test("parsePathArgument() reads path and ESMTP parameters", () => {
  const p = parsePathArgument("FROM", "FROM:<a.b+c@x.test> SIZE=12 BODY=8BITMIME");
  assert.equal(p.address, "a.b+c@x.test");
  assert.deepEqual([...p.params], [["SIZE", "12"], ["BODY", "8BITMIME"]]);
  assert.equal(parsePathArgument("FROM", "from: <>").address, "");
  assert.equal(parsePathArgument("TO", "TO:<Postmaster>").address, "Postmaster");
  assert.equal(parsePathArgument("TO", "TO:<@relay.test:bob@b.test>").address, "bob@b.test");
  assert.equal(parsePathArgument("TO", 'TO:<"odd name"@b.test>').address, '"odd name"@b.test');
});

Deno.test("parsePathArgument() answers bad syntax with 501", () => {
  for (
    const arg of ["FROM:a@b.test", "FROM:<a@b.test", "FROM:<a b@c.test>", "FROM:<a@>", "TO:<>"]
  ) {
    const keyword = arg.startsWith("TO") ? "TO" : "FROM";
    assert.throws(
      () => parsePathArgument(keyword, arg),
      (e) => e instanceof SmtpError && e.code === 501,
      arg,
    );
  }
  const long = "FROM:<" + "a".repeat(300) + "@b.test>";
  assert.throws(() => parsePathArgument("FROM", long), /longer than 256/);
});

Deno.test("parseParams() refuses duplicates and junk", () => {
  assert.throws(() => parseParams(" SIZE=1 SIZE=2"), /twice/);
  assert.throws(() => parseParams(" =x"), /Bad parameter/);
  assert.deepEqual([...parseParams(" SMTPUTF8")], [["SMTPUTF8", true]]);
});

Deno.test("isMailbox() checks RFC 5321 lengths", () => {
  assert.ok(isMailbox("bob@b.test"));
  assert.ok(!isMailbox("a".repeat(65) + "@b.test"));
  assert.ok(!isMailbox("bob@-b.test"));
});

Deno.test("formatPathCommand() and checkClientText() refuse CR and LF", () => {
  assert.equal(formatPathCommand("RCPT", "bob@b.test"), "RCPT TO:<bob@b.test>");
  assert.equal(formatPathCommand("MAIL", ""), "MAIL FROM:<>");
  assert.throws(
    () => formatPathCommand("RCPT", "bob@b.test>\r\nRCPT TO:<eve@e.test"),
    /contains CR at index 11/,
  );
  assert.throws(() => formatPathCommand("MAIL", "a@b.test", { X: "1\n" }), /LF/);
  assert.throws(() => formatPathCommand("RCPT", "not an address"), /not an address/);
  assert.throws(() => checkClientText("name", "a\0b"), /NUL/);
});
