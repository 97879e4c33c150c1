import assert from "node:assert/strict";
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqRelative } from "./seq.ts";

Deno.test("seqAdd() wraps at 2^32", () => {
  assert.equal(seqAdd(0xffffffff, 1), 0);
  assert.equal(seqAdd(0, -1), 0xffffffff);
  assert.equal(seqAdd(100, 20), 120);
});

Deno.test("seqDiff() and the comparisons see across the wrap", () => {
  assert.equal(seqDiff(5, 0xfffffffb), 10);
  assert.ok(seqLt(0xfffffff0, 3));
  assert.ok(seqGt(3, 0xfffffff0));
  assert.ok(seqLe(7, 7) && seqGe(7, 7));
  assert.ok(!seqLt(7, 7));
});

Deno.test("seqRelative() counts from the initial sequence number", () => {
  assert.equal(seqRelative(0xfffffffe, 0xfffffffe), 0);
  assert.equal(seqRelative(1, 0xfffffffe), 3);
});
