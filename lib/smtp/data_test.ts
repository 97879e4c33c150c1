import assert from "node:assert/strict";
import { LineReader } from "../net/mod.ts";
import { encodeDataBlock, readDataBlock } from "./data.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A reader over fixed bytes that then reports end of stream. */
function readerOf(text: string, maxLineLength?: number): LineReader {
  const bytes = enc.encode(text);
  let at = 0;
  return new LineReader({
    read(buffer) {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(buffer.length, bytes.length - at, 7); // small chunks: lines split across reads
      buffer.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  }, { maxLineLength });
}

Deno.test("readDataBlock() un-stuffs dots and stops at CRLF.CRLF", async () => {
  const r = await readDataBlock(readerOf("A: 1\r\n\r\n..x\r\n...\r\n.\r\nQUIT\r\n"), {
    maxSize: 100,
  });
  assert.equal(r.kind, "message");
  if (r.kind === "message") assert.equal(dec.decode(r.bytes), "A: 1\r\n\r\n.x\r\n..\r\n");
});

Deno.test("readDataBlock() refuses a bare LF and reads on to the real end", async () => {
  const reader = readerOf("a\nb\r\n.\r\nNOOP\r\n");
  const r = await readDataBlock(reader, { maxSize: 100 });
  assert.equal(r.kind, "refused");
  if (r.kind === "refused") {
    assert.equal(r.error.code, 554);
    assert.match(r.error.text, /Bare LF on line 1/);
    assert.equal(r.close, false);
  }
  assert.equal((await reader.readLine())?.text, "NOOP");
});

Deno.test("readDataBlock() closes on a smuggled LF.LF end", async () => {
  const r = await readDataBlock(readerOf("hi\r\n\n.\nMAIL FROM:<x@y.test>\r\n.\r\n"), {
    maxSize: 100,
  });
  assert.equal(r.kind, "refused");
  if (r.kind === "refused") assert.equal(r.close, true);
  const r2 = await readDataBlock(readerOf("hi\r\n.\nX\r\n.\r\n"), { maxSize: 100 });
  assert.ok(r2.kind === "refused" && r2.close);
});

Deno.test("readDataBlock() refuses a bare CR and NUL bytes", async () => {
  const cr = await readDataBlock(readerOf("a\rb\r\n.\r\n"), { maxSize: 100 });
  assert.ok(cr.kind === "refused" && /Bare CR/.test(cr.error.text));
  const nul = await readDataBlock(readerOf("a\0b\r\n.\r\n"), { maxSize: 100 });
  assert.ok(nul.kind === "refused" && nul.error.code === 554 && /NUL/.test(nul.error.text));
});

Deno.test("readDataBlock() answers 552 for too big and too long lines", async () => {
  const big = await readDataBlock(
    readerOf("x".repeat(50) + "\r\n" + "y".repeat(60) + "\r\n.\r\n"),
    { maxSize: 100 },
  );
  assert.ok(big.kind === "refused" && big.error.code === 552 && !big.close);
  const long = await readDataBlock(readerOf("z".repeat(40) + "\r\nok\r\n.\r\n", 20), {
    maxSize: 1000,
  });
  assert.ok(
    long.kind === "refused" && long.error.code === 552 && /line 1 too long/.test(long.error.text),
  );
});

Deno.test("readDataBlock() reports a client that vanished mid-DATA", async () => {
  assert.deepEqual(await readDataBlock(readerOf("Subject: x\r\n\r\nhalf"), { maxSize: 100 }), {
    kind: "vanished",
  });
});

Deno.test("encodeDataBlock() stuffs dots, makes CRLF, and round-trips through readDataBlock()", async () => {
  const message = ".one\n..two\r\nthree\rfour\r\n.\r\n";
  const block = dec.decode(encodeDataBlock(enc.encode(message)));
  assert.equal(block, "..one\r\n...two\r\nthree\r\nfour\r\n..\r\n.\r\n");
  const r = await readDataBlock(readerOf(block), { maxSize: 1000 });
  assert.ok(r.kind === "message");
  assert.equal(dec.decode(r.bytes), ".one\r\n..two\r\nthree\r\nfour\r\n.\r\n");
  assert.equal(dec.decode(encodeDataBlock(new Uint8Array())), ".\r\n");
});

Deno.test("readDataBlock() puts the message right behind the head it is given", async () => {
  const head = enc.encode("Received: from pc\r\n");
  const r = await readDataBlock(
    readerOf("Subject: x\r\n\r\n..hi\r\n.\r\n"),
    { maxSize: 100 },
    head,
  );
  assert.ok(r.kind === "message");
  assert.equal(dec.decode(r.bytes), "Received: from pc\r\nSubject: x\r\n\r\n.hi\r\n");
  // The head does not count against the size limit; the message does.
  const big = await readDataBlock(readerOf("x".repeat(98) + "\r\n.\r\n"), { maxSize: 100 }, head);
  assert.equal(big.kind, "message");
});
