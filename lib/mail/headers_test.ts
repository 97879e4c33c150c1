import assert from "node:assert/strict";
import { foldHeader, HeaderFields, parseHeaders, unfold } from "./headers.ts";

Deno.test("parseHeaders() unfolds, keeps order and duplicates, ignores letter case", () => {
  const headers = parseHeaders(
    "Received: from a\r\n\tby b\r\nReceived: from c\r\nSUBJECT: long\r\n  subject\r\n" +
      "x-empty:\r\nTo: a@example.org\r\n",
  );
  assert.deepEqual(headers.fields.map((f) => f.name), [
    "Received",
    "Received",
    "SUBJECT",
    "x-empty",
    "To",
  ]);
  assert.deepEqual(headers.getAll("received"), ["from a\tby b", "from c"]);
  assert.equal(headers.get("Subject"), "long  subject");
  assert.equal(headers.get("X-Empty"), "");
  assert.equal(headers.has("cc"), false);
  assert.equal([...headers].length, 5);
});

Deno.test("parseHeaders() accepts bare LF and skips lines that are not fields", () => {
  const headers = parseHeaders("From sender Mon Jan  1\nSubject: hi\n continued\nno colon here\n");
  assert.deepEqual(headers.fields, [{ name: "Subject", value: "hi continued" }]);
  assert.deepEqual(parseHeaders(" leading continuation\r\n").fields, []);
  assert.deepEqual(parseHeaders("Subject : obsolete space\r\n").fields, [
    { name: "Subject", value: "obsolete space" },
  ]);
});

Deno.test("parseHeaders() copes with a huge header section", () => {
  const big = "X-Big: " + "a ".repeat(200_000) + "\r\n" +
    Array.from({ length: 10_000 }, (_, i) => `X-N${i}: ${i}\r\n`).join("");
  const headers = parseHeaders(big);
  assert.equal(headers.fields.length, 10_001);
  assert.equal(headers.get("x-n9999"), "9999");
});

Deno.test("unfold() removes CRLF before white space only", () => {
  assert.equal(unfold("a\r\n b\r\n\tc"), "a b\tc");
  assert.equal(unfold("a\nb"), "a\nb");
});

Deno.test("foldHeader() folds at white space within 78 characters", () => {
  const value = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
  const folded = foldHeader("Subject", value);
  const lines = folded.split("\r\n");
  assert.ok(lines.length > 1);
  for (const line of lines) assert.ok(line.length <= 78, line);
  for (const line of lines.slice(1)) assert.match(line, /^ /);
  assert.equal(unfold(folded), `Subject: ${value}`);
  assert.equal(parseHeaders(folded).get("subject"), value);
});

Deno.test("foldHeader() keeps a long unbreakable token whole, refuses over 998", () => {
  const token = "x".repeat(100);
  assert.equal(foldHeader("X-Token", token), `X-Token: ${token}`);
  assert.equal(foldHeader("X-Token", `a ${token}`), `X-Token: a\r\n ${token}`);
  assert.throws(() => foldHeader("X-Token", "y".repeat(1000)), /exceeds 998/);
  assert.equal(foldHeader("X-Empty", ""), "X-Empty:");
});

Deno.test("foldHeader() refuses header injection and bad names", () => {
  assert.throws(() => foldHeader("Subject", "hi\r\nBcc: victim@example.org"), {
    name: "TypeError",
    message: "Cannot format header Subject: the value contains CR or LF",
  });
  assert.throws(() => foldHeader("Bad Name", "x"), /invalid field name "Bad Name"/);
  assert.throws(() => foldHeader("Bad:Name", "x"), TypeError);
  assert.throws(() => foldHeader("", "x"), TypeError);
});

Deno.test("HeaderFields can be built directly", () => {
  const headers = new HeaderFields([{ name: "A", value: "1" }]);
  assert.equal(headers.get("a"), "1");
});
