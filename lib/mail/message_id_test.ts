import assert from "node:assert/strict";
import { generateMessageId } from "./message_id.ts";

Deno.test("generateMessageId() is unique and well formed", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => generateMessageId("example.org")));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^<[a-z0-9.]+@example\.org>$/);
  assert.match(generateMessageId(), /@localhost>$/);
});

Deno.test("generateMessageId() refuses a domain that would break the header", () => {
  for (const domain of ["", "a b", "x>\r\nBcc: v@x", "a..b", "@x"]) {
    assert.throws(() => generateMessageId(domain), TypeError);
  }
});
