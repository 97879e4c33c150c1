import assert from "node:assert/strict";
import { decodeQuotedPrintable, encodeQuotedPrintable } from "./quoted_printable.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const qp = (text: string, binary = false) =>
  encodeQuotedPrintable(encoder.encode(text), { binary });
const unqp = (text: string) => decoder.decode(decodeQuotedPrintable(text));

Deno.test("encodeQuotedPrintable() escapes =, 8-bit bytes and trailing white space", () => {
  assert.equal(qp("a=b"), "a=3Db");
  assert.equal(qp("naïve"), "na=C3=AFve");
  assert.equal(qp("end \r\nnext\t\r\n"), "end=20\r\nnext=09\r\n");
  assert.equal(qp("lf only\nline"), "lf only\r\nline");
  assert.equal(qp(""), "");
});

Deno.test("encodeQuotedPrintable() keeps every line within 76 characters", () => {
  for (const text of ["x".repeat(300), "é".repeat(100), "a b ".repeat(60), "=".repeat(80)]) {
    const encoded = qp(text);
    for (const line of encoded.split("\r\n")) assert.ok(line.length <= 76, line);
    assert.equal(unqp(encoded), text);
  }
});

Deno.test("binary mode encodes CR and LF as data", () => {
  assert.equal(qp("a\r\nb", true), "a=0D=0Ab");
  assert.deepEqual(
    decodeQuotedPrintable(
      encodeQuotedPrintable(new Uint8Array([0, 13, 10, 255]), { binary: true }),
    ),
    new Uint8Array([0, 13, 10, 255]),
  );
});

Deno.test("decodeQuotedPrintable() follows RFC 2045 6.7 and tolerates mistakes", () => {
  assert.equal(unqp("soft=\r\nbreak"), "softbreak");
  assert.equal(unqp("soft= \t\r\nbreak"), "softbreak");
  assert.equal(unqp("soft=\nbreak"), "softbreak");
  assert.equal(unqp("padding   \r\nnext"), "padding\r\nnext");
  assert.equal(unqp("lower =c3=a9"), "lower é");
  assert.equal(unqp("stray = sign =XY =4"), "stray = sign =XY =4");
  assert.equal(unqp("ends with ="), "ends with ");
  assert.equal(unqp("a\r\n\r\nb"), "a\r\n\r\nb");
});

Deno.test("round trip of random bytes in text and binary mode", () => {
  for (let n = 0; n < 50; n++) {
    const bytes = crypto.getRandomValues(new Uint8Array(n * 7));
    const binary = encodeQuotedPrintable(bytes, { binary: true });
    assert.deepEqual(decodeQuotedPrintable(binary), bytes);
    assert.match(binary, /^[\x21-\x7e\r\n \t]*$/);
  }
});
