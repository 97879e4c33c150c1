import assert from "node:assert/strict";
import {
  Base64Error,
  decodeBase64,
  decodeBase64Mime,
  encodeBase64,
  encodeBase64Lines,
} from "./base64.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** RFC 4648 section 10. */
const VECTORS: [string, string][] = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
];

Deno.test("encodeBase64() and decodeBase64() match the RFC 4648 test vectors", () => {
  for (const [plain, encoded] of VECTORS) {
    assert.equal(encodeBase64(encoder.encode(plain)), encoded);
    assert.equal(decoder.decode(decodeBase64(encoded)), plain);
    assert.equal(decoder.decode(decodeBase64Mime(encoded)), plain);
  }
});

Deno.test("encodeBase64() agrees with btoa() on every byte value", () => {
  const bytes = Uint8Array.from({ length: 256 * 3 + 1 }, (_, i) => (i * 7) & 0xff);
  const expected = btoa(String.fromCharCode(...bytes));
  assert.equal(encodeBase64(bytes), expected);
  assert.deepEqual(decodeBase64(expected), bytes);
});

Deno.test("decodeBase64() refuses bad input and says where", () => {
  const cases: [string, RegExp][] = [
    ["Zm9", /length 3 is not a multiple of 4/],
    ["Zm9v!A==", /unexpected character "!" at position 4/],
    ["Zm=v", /unexpected "=" before the end at position 2/],
    ["Zm9v\r\n", /length 6/],
    ["Zm9 ", /unexpected character " " at position 3/],
    ["Zh==", /non-zero bits after the last byte/],
    ["Zm9é", /unexpected character "é"/],
    ["====", /unexpected "=" before the end at position 0/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => decodeBase64(input), (error: unknown) => {
      assert.ok(error instanceof Base64Error, input);
      assert.match(error.message, /^Cannot decode base64: /);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("decodeBase64Mime() skips line breaks and junk, forgives missing padding", () => {
  assert.equal(decoder.decode(decodeBase64Mime("Zm9v\r\nYmFy\r\n")), "foobar");
  assert.equal(decoder.decode(decodeBase64Mime(" Zm9v YmE ")), "fooba");
  assert.equal(decoder.decode(decodeBase64Mime("Zm9v!!YmFy")), "foobar");
  assert.equal(decoder.decode(decodeBase64Mime(encoder.encode("Zm8=\r\n"))), "fo");
  assert.deepEqual(decodeBase64Mime("!!!"), new Uint8Array());
});

Deno.test("encodeBase64Lines() wraps at 76 characters with CRLF", () => {
  const text = encodeBase64Lines(new Uint8Array(200));
  const lines = text.split("\r\n");
  assert.deepEqual(lines.map((l) => l.length), [76, 76, 76, 40]);
  assert.deepEqual(decodeBase64Mime(text), new Uint8Array(200));
});
