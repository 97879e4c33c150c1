import assert from "node:assert/strict";
import { formatAddress, parseAddressList } from "./address.ts";

Deno.test("parseAddressList() reads the common forms", () => {
  assert.deepEqual(
    parseAddressList(
      '"Jane Doe" <jane@example.org>, bob@example.org, Carol Smith <carol@example.org>, ' +
        "dave@example.org (Dave Jones), <eve@example.org>",
    ),
    [
      { name: "Jane Doe", address: "jane@example.org" },
      { name: "", address: "bob@example.org" },
      { name: "Carol Smith", address: "carol@example.org" },
      { name: "Dave Jones", address: "dave@example.org" },
      { name: "", address: "eve@example.org" },
    ],
  );
});

Deno.test("parseAddressList() handles quoting, commas in names and encoded words", () => {
  assert.deepEqual(parseAddressList('"Doe, \\"JD\\" Jane" <j@x.org>'), [
    { name: 'Doe, "JD" Jane', address: "j@x.org" },
  ]);
  assert.deepEqual(parseAddressList("=?UTF-8?B?5a2m55Sf?= <student@example.org>"), [
    { name: "学生", address: "student@example.org" },
  ]);
  assert.deepEqual(parseAddressList("<@relay.example:a@b.example>"), [
    { name: "", address: "a@b.example" },
  ]);
});

Deno.test("parseAddressList() flattens groups, tagging members", () => {
  assert.deepEqual(parseAddressList("Team: a@x.org, B <b@x.org>; c@y.org, Undisclosed:;"), [
    { name: "", address: "a@x.org", group: "Team" },
    { name: "B", address: "b@x.org", group: "Team" },
    { name: "", address: "c@y.org" },
  ]);
});

Deno.test("parseAddressList() is tolerant of junk", () => {
  assert.deepEqual(parseAddressList(""), []);
  assert.deepEqual(parseAddressList(" , ,"), []);
  assert.deepEqual(parseAddressList("<unterminated@x.org"), [
    { name: "", address: "unterminated@x.org" },
  ]);
  // An unterminated quoted string swallows the rest; the text is kept, not dropped.
  assert.deepEqual(parseAddressList('"unterminated <a@b>'), [
    { name: "", address: "unterminated <a@b>" },
  ]);
  assert.equal(parseAddressList("(((nested)").length, 1);
});

Deno.test("formatAddress() quotes or encodes the display name as needed", () => {
  assert.equal(formatAddress("a@example.org"), "a@example.org");
  assert.equal(formatAddress({ name: "Jane Doe", address: "j@x.org" }), "Jane Doe <j@x.org>");
  assert.equal(formatAddress({ name: "J. Doe", address: "j@x.org" }), '"J. Doe" <j@x.org>');
  assert.equal(formatAddress({ name: 'say "hi"', address: "j@x.org" }), '"say \\"hi\\"" <j@x.org>');
  assert.equal(
    formatAddress({ name: "学生", address: "s@x.org" }),
    "=?UTF-8?B?5a2m55Sf?= <s@x.org>",
  );
  for (const name of ["Jane Doe", "J. Doe", 'say "hi"', "学生", "Doe, Jane"]) {
    assert.deepEqual(parseAddressList(formatAddress({ name, address: "j@x.org" })), [
      { name, address: "j@x.org" },
    ]);
  }
});

Deno.test("formatAddress() refuses header injection", () => {
  assert.throws(() => formatAddress("a@x.org\r\nBcc: v@x.org"), TypeError);
  assert.throws(() => formatAddress({ name: "x\r\nBcc: v@x.org", address: "a@x.org" }), TypeError);
  assert.throws(() => formatAddress("a@x.org> <b@y.org"), TypeError);
  assert.throws(() => formatAddress(""), TypeError);
});
