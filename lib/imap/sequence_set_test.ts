import { deepStrictEqual, throws } from "node:assert/strict";
import {
  formatSequenceSet,
  parseSequenceSet,
  selectFrom,
  SequenceSetError,
  setContains,
} from "./sequence_set.ts";

Deno.test("parseSequenceSet() reads numbers, ranges and *", () => {
  deepStrictEqual(parseSequenceSet("1,3:5,*,9:*"), [
    { from: 1, to: 1 },
    { from: 3, to: 5 },
    { from: "*", to: "*" },
    { from: 9, to: "*" },
  ]);
});

Deno.test("parseSequenceSet() refuses 0, empty parts and junk", () => {
  for (const bad of ["", "0", "1:", ":2", "1,,2", "a", "1:2:3", "4294967296", "-1"]) {
    throws(() => parseSequenceSet(bad), SequenceSetError, bad);
  }
});

Deno.test("setContains() takes ranges in either order and * as the largest", () => {
  const set = parseSequenceSet("5:2,10:*");
  deepStrictEqual([1, 2, 5, 6, 10, 11].map((n) => setContains(set, n, 11)), [
    false,
    true,
    true,
    false,
    true,
    true,
  ]);
});

Deno.test("selectFrom() includes the last UID for n:* past the end (RFC 3501 6.4.8)", () => {
  deepStrictEqual(selectFrom(parseSequenceSet("559:*"), [3, 17, 42]), [42]);
  deepStrictEqual(selectFrom(parseSequenceSet("1:*"), []), []);
});

Deno.test("formatSequenceSet() compresses runs", () => {
  deepStrictEqual(formatSequenceSet([]), "");
  deepStrictEqual(formatSequenceSet([4, 5, 6, 1, 9, 10]), "1,4:6,9:10");
});
