import assert from "node:assert/strict";
import { charsetLabel, decodeCharset } from "./charset.ts";

Deno.test("decodeCharset() reads the GB family as GB18030", () => {
  // "电子邮件" in GB2312 / GBK / GB18030 (the same bytes in all three)
  const bytes = new Uint8Array([0xb5, 0xe7, 0xd7, 0xd3, 0xd3, 0xca, 0xbc, 0xfe]);
  for (const charset of ["gb2312", "GB2312", "gbk", "GB18030", '"gb2312"']) {
    assert.equal(decodeCharset(bytes, charset), "电子邮件", charset);
  }
  assert.equal(charsetLabel("gb2312"), "gb18030");
});

Deno.test("decodeCharset() handles ISO-8859-1, UTF-8 and unknown charsets", () => {
  assert.equal(decodeCharset(new Uint8Array([0x4a, 0xf8, 0x72, 0x6e]), "ISO-8859-1"), "Jørn");
  assert.equal(decodeCharset(new TextEncoder().encode("é"), "UTF-8"), "é");
  assert.equal(decodeCharset(new TextEncoder().encode("é"), "x-unknown"), "é");
  assert.equal(charsetLabel("x-unknown"), null);
  assert.equal(decodeCharset(new Uint8Array([0xff]), "utf-8"), "\ufffd");
});
