import assert from "node:assert/strict";
import { formatParameterized, parseContentType, parseParameterized } from "./content_type.ts";

Deno.test("parseContentType() lowercases type and names, keeps values", () => {
  assert.deepEqual(parseContentType('Text/HTML; Charset="UTF-8"; format=flowed'), {
    type: "text",
    subtype: "html",
    params: { charset: "UTF-8", format: "flowed" },
  });
  assert.deepEqual(parseContentType('multipart/mixed; boundary="a;b=c"'), {
    type: "multipart",
    subtype: "mixed",
    params: { boundary: "a;b=c" },
  });
});

Deno.test("parseContentType() falls back to the RFC 2045 default", () => {
  const fallback = { type: "text", subtype: "plain", params: { charset: "us-ascii" } };
  assert.deepEqual(parseContentType(undefined), fallback);
  assert.deepEqual(parseContentType("garbage"), fallback);
  assert.deepEqual(parseContentType(""), fallback);
});

Deno.test("parseParameterized() decodes RFC 2231 continuations and charsets", () => {
  assert.deepEqual(
    parseParameterized(
      "attachment; filename*0*=UTF-8''%E7%AC%94%E8%AE%B0; filename*1=\".txt\"",
    ),
    { value: "attachment", params: { filename: "笔记.txt" } },
  );
  assert.deepEqual(
    parseParameterized("attachment; filename*=iso-8859-1'en'J%F8rn%27s.txt"),
    { value: "attachment", params: { filename: "Jørn's.txt" } },
  );
  assert.deepEqual(
    parseParameterized('inline; filename="=?UTF-8?B?56yU6K6w?=.txt"'),
    { value: "inline", params: { filename: "笔记.txt" } },
  );
  assert.deepEqual(parseParameterized("attachment; junk; =x"), { value: "attachment", params: {} });
});

Deno.test("formatParameterized() quotes and encodes, and round-trips", () => {
  assert.equal(
    formatParameterized("text/plain", { charset: "utf-8" }),
    "text/plain; charset=utf-8",
  );
  assert.equal(
    formatParameterized("attachment", { filename: "a b.txt" }),
    'attachment; filename="a b.txt"',
  );
  for (const filename of ["a b.txt", 'quote".txt', "笔记 (1).txt", "it's.txt", ""]) {
    const header = formatParameterized("attachment", { filename });
    assert.equal(parseParameterized(header).params.filename, filename, header);
  }
  assert.throws(() => formatParameterized("attachment", { filename: "a\r\nb" }), TypeError);
});
