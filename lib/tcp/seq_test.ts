import assert from "node:assert/strict";
import { assertSeq, randomIsn, seqAdd, seqDiff, seqLe, seqLt } from "./seq.ts";

Deno.test("seqAdd() wraps modulo 2^32", () => {
  assert.equal(seqAdd(0xffff_fff0, 0x20), 0x10);
  assert.equal(seqAdd(0xffff_ffff, 1), 0);
  assert.equal(seqAdd(10, -11), 0xffff_ffff);
});

Deno.test("seqDiff() and seqLt() compare across the wrap", () => {
  assert.equal(seqDiff(0x10, 0xffff_fff0), 0x20);
  assert.equal(seqDiff(0xffff_fff0, 0x10), -0x20);
  assert.ok(seqLt(0xffff_fff0, 0x10));
  assert.ok(!seqLt(0x10, 0xffff_fff0));
  assert.ok(seqLe(7, 7));
});

Deno.test("assertSeq() names what is wrong", () => {
  assert.throws(() => assertSeq(-1, "ISN"), /Invalid ISN: -1/);
  assert.throws(() => assertSeq(2 ** 32, "seq"), /Invalid seq/);
  assert.equal(assertSeq(123, "seq"), 123);
});

Deno.test("randomIsn() gives 32-bit numbers that differ", () => {
  const isns = new Set(Array.from({ length: 20 }, randomIsn));
  assert.ok(isns.size > 1);
  for (const isn of isns) assertSeq(isn, "ISN");
});
