import assert from "node:assert/strict";
import {
  compareIds,
  curFileName,
  fileNameId,
  normalizeFlags,
  parseFileName,
  sortByDelivery,
  uniqueName,
} from "./filename.ts";

Deno.test("uniqueName() has the modern maildir shape and never repeats", () => {
  const names = new Set<string>();
  for (let i = 0; i < 1000; i++) names.add(uniqueName());
  assert.equal(names.size, 1000);
  const name = [...names][0];
  assert.match(name, new RegExp(`^\\d{10,}\\.M\\d{1,6}P${Deno.pid}Q\\d+\\.[^/:]+$`));
});

Deno.test("uniqueName() splits the time into seconds and microseconds", () => {
  const name = uniqueName(1700000000123.456);
  assert.match(name, /^1700000000\.M123456P/);
});

Deno.test("normalizeFlags() sorts, deduplicates and refuses non-letters", () => {
  assert.equal(normalizeFlags(""), "");
  assert.equal(normalizeFlags("TSRFDP"), "DFPRST");
  assert.equal(normalizeFlags("SSa"), "Sa");
  assert.throws(() => normalizeFlags("S,"), {
    name: "TypeError",
    message: 'Cannot use maildir flags "S,": "," is not a flag letter',
  });
  assert.throws(() => normalizeFlags("S/../"), TypeError);
});

Deno.test("parseFileName() and curFileName() round-trip id and flags", () => {
  const id = "1700000000.M5P6Q7.host\\072name";
  assert.deepEqual(parseFileName(curFileName(id, "SF")), { id, flags: "FS" });
  assert.deepEqual(parseFileName(id), { id, flags: "" });
  assert.deepEqual(parseFileName(`${id}:2,`), { id, flags: "" });
  assert.deepEqual(parseFileName(`${id}:1,experimental`), { id, flags: "" });
  assert.deepEqual(parseFileName("1.2,S=100,W=104:2,RS"), { id: "1.2,S=100,W=104", flags: "RS" });
});

Deno.test("compareIds() orders by time, then microseconds and counter numerically", () => {
  const ids = ["10.M5P1Q2.h", "9.M999P1Q1.h", "10.M5P1Q10.h", "10.M40P1Q1.h", "abc", "10.x.h"];
  assert.deepEqual(ids.sort(compareIds), [
    "9.M999P1Q1.h",
    "10.x.h",
    "10.M5P1Q2.h",
    "10.M5P1Q10.h",
    "10.M40P1Q1.h",
    "abc",
  ]);
});

Deno.test("sortByDelivery() orders by date, then as compareIds() does", () => {
  const at = (ms: number, id: string) => ({ id, internalDate: new Date(ms) });
  const ids = ["10.M5P1Q2.h", "9.M999P1Q1.h", "10.M5P1Q10.h", "10.M40P1Q1.h", "abc", "10.x.h"];
  const sameDate = ids.map((id) => at(5, id));
  assert.deepEqual(sortByDelivery(sameDate).map((m) => m.id), [...ids].sort(compareIds));
  const dated = [at(3, "9.M1.h"), at(1, "10.M2.h"), at(2, "abc"), at(1, "10.M1.h")];
  assert.deepEqual(sortByDelivery(dated).map((m) => m.id), ["10.M1.h", "10.M2.h", "abc", "9.M1.h"]);
});

Deno.test("fileNameId() is the id part of new/ and cur/ names", () => {
  assert.equal(fileNameId("1.M2P3Q4.h"), "1.M2P3Q4.h");
  assert.equal(fileNameId("1.M2P3Q4.h:2,FS"), "1.M2P3Q4.h");
  assert.equal(fileNameId("1.2,S=100,W=104:2,RS"), "1.2,S=100,W=104");
});
