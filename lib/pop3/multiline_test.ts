import assert from "node:assert/strict";
import { encodeMessage, joinLines, stuffLines, unstuffLine, utf8 } from "./multiline.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Decode a multi-line body the way a client does. */
function decode(wire: Uint8Array): Uint8Array {
  const lines = text(wire).split("\r\n");
  assert.equal(lines.pop(), "", "the body ends with CRLF");
  const out: Uint8Array[] = [];
  for (const line of lines) {
    const content = unstuffLine(utf8(line));
    if (content === null) return joinLines(out);
    out.push(content);
  }
  throw new Error("no terminator");
}

Deno.test("encodeMessage() byte-stuffs lines that start with a dot", () => {
  const wire = encodeMessage(utf8("Subject: x\r\n\r\n.\r\n..two\r\n.three\r\nend\r\n"));
  assert.equal(text(wire), "Subject: x\r\n\r\n..\r\n...two\r\n..three\r\nend\r\n.\r\n");
});

Deno.test("encodeMessage() gives a CRLF message back byte for byte", () => {
  const message = utf8("From: a@b\r\n\r\n.\r\n.hidden\r\n\r\n\r\nlast\r\n");
  assert.deepEqual(decode(encodeMessage(message)), message);
});

Deno.test("encodeMessage() sends bare LF as CRLF and ends a last partial line", () => {
  assert.equal(text(encodeMessage(utf8("a\nb\r\nc"))), "a\r\nb\r\nc\r\n.\r\n");
  assert.equal(text(encodeMessage(utf8(""))), ".\r\n");
});

Deno.test("encodeMessage() keeps a CR that does not end a line", () => {
  assert.equal(text(encodeMessage(utf8("a\rb\r\n"))), "a\rb\r\n.\r\n");
});

Deno.test("encodeMessage() with a limit sends the header and that many body lines (TOP)", () => {
  const message = utf8("A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n");
  assert.equal(text(encodeMessage(message, 0)), "A: 1\r\nB: 2\r\n\r\n.\r\n");
  assert.equal(text(encodeMessage(message, 2)), "A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n.\r\n");
  assert.equal(text(encodeMessage(message, 99)), text(encodeMessage(message)));
});

Deno.test("stuffLines() stuffs and terminates text listings", () => {
  assert.deepEqual(stuffLines(["TOP", ".odd"]), ["TOP", "..odd", "."]);
  assert.deepEqual(stuffLines([]), ["."]);
});

Deno.test("unstuffLine() tells the terminator from a stuffed line", () => {
  assert.equal(unstuffLine(utf8(".")), null);
  assert.equal(text(unstuffLine(utf8(".."))!), ".");
  assert.equal(text(unstuffLine(utf8("plain"))!), "plain");
});
