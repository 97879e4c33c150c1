import assert from "node:assert/strict";
import { internetChecksum, onesComplementSum } from "./checksum.ts";

Deno.test("onesComplementSum() gives RFC 1071's worked example 0xddf2", () => {
  const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(onesComplementSum(bytes), 0xddf2);
  assert.equal(internetChecksum(bytes), 0x220d);
});

Deno.test("onesComplementSum() folds the carry back in (end-around carry)", () => {
  // 0xffff + 0x0001 = 0x10000 -> 0x0001, not 0x0000
  assert.equal(onesComplementSum(new Uint8Array([0xff, 0xff, 0x00, 0x01])), 0x0001);
});

Deno.test("onesComplementSum() pads an odd last byte with zero", () => {
  assert.equal(onesComplementSum(new Uint8Array([0x12, 0x34, 0x56])), 0x1234 + 0x5600);
});

Deno.test("internetChecksum() of data plus its checksum sums to 0xffff", () => {
  const data = new Uint8Array([0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00]);
  const sum = internetChecksum(data);
  const withSum = new Uint8Array([...data, sum >> 8, sum & 0xff]);
  assert.equal(onesComplementSum(withSum), 0xffff);
});

Deno.test("internetChecksum() refuses an odd-length part before the last", () => {
  assert.throws(() => internetChecksum(new Uint8Array(3), new Uint8Array(2)), /odd length/);
});
