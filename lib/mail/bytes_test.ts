import assert from "node:assert/strict";
import { concatBytes } from "./bytes.ts";

Deno.test("concatBytes() joins chunks in order into a new array, empty ones included", () => {
  const a = Uint8Array.of(1, 2);
  const joined = concatBytes([a, new Uint8Array(0), Uint8Array.of(3), a.subarray(1)]);
  assert.deepEqual([...joined], [1, 2, 3, 2]);
  assert.deepEqual([...concatBytes([])], []);
  const single = concatBytes([a]);
  single[0] = 9;
  assert.equal(a[0], 1, "the result is a copy, never a chunk itself");
});
