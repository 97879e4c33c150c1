import assert from "node:assert/strict";
import {
  decodeWords,
  encodeHeaderText,
  encodeWords,
  MAX_ENCODED_WORD,
  needsEncoding,
} from "./encoded_word.ts";

Deno.test("decodeWords() gives the results of RFC 2047 section 8", () => {
  const examples: [string, string][] = [
    ["=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"],
    ["=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>"],
    [
      "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
      "André Pirard <PIRARD@vm1.ulg.ac.be>",
    ],
    [
      "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n" +
      " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
      "If you can read this you understand the example.",
    ],
    ["(=?ISO-8859-1?Q?a?=)", "(a)"],
    ["(=?ISO-8859-1?Q?a?= b)", "(a b)"],
    ["(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"],
    ["(=?ISO-8859-1?Q?a_b?=)", "(a b)"],
    ["(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"],
  ];
  for (const [encoded, decoded] of examples) assert.equal(decodeWords(encoded), decoded, encoded);
});

Deno.test("decodeWords() decodes GB2312, GBK and GB18030 words", () => {
  assert.equal(decodeWords("=?GB2312?B?tefX09PKvP4=?="), "电子邮件");
  assert.equal(decodeWords("=?gbk?Q?=B5=E7=D7=D3?="), "电子");
  assert.equal(decodeWords("=?GB18030?B?0afPsA==?= notes"), "学习 notes");
});

Deno.test("decodeWords() joins a character split across adjacent words", () => {
  // "电" is E7 94 B5 in UTF-8: split after its first byte, as some senders do.
  assert.equal(decodeWords("=?UTF-8?Q?=E7?= =?UTF-8?Q?=94=B5?="), "电");
});

Deno.test("decodeWords() leaves malformed words as they are", () => {
  for (
    const text of [
      "=?UTF-8?B?not base64!?=",
      "=?UTF-8?X?abc?=",
      "=?no-such-charset?Q?abc?=",
      "=?UTF-8?B?YWJj",
      "plain =? text ?=",
      "=?UTF-8?B?Y?=",
    ]
  ) {
    assert.equal(decodeWords(text), text);
  }
  assert.equal(decodeWords("=?UTF-8*en?Q?hello?="), "hello"); // RFC 2231 language
});

Deno.test("encodeWords() splits a long Chinese subject on character boundaries", () => {
  const subject = "电子邮件协议学习笔记".repeat(4);
  for (const encoding of ["B", "Q"] as const) {
    const words = encodeWords(subject, { encoding }).split(" ");
    assert.ok(words.length > 1, `${encoding} should need several words`);
    for (const word of words) {
      assert.ok(word.length <= MAX_ENCODED_WORD, word);
      // Each word decodes on its own to whole characters (RFC 2047 section 5).
      assert.doesNotMatch(decodeWords(word), /\ufffd/);
    }
    assert.equal(decodeWords(words.join("\r\n ")), subject);
  }
});

Deno.test("encodeWords() keeps surrogate pairs and Q-specials intact", () => {
  const text = "emoji 😀 and _ ? = signs ".repeat(5);
  for (const encoding of ["B", "Q"] as const) {
    const encoded = encodeWords(text, { encoding });
    assert.equal(decodeWords(encoded), text);
    for (const word of encoded.split(" ")) assert.ok(word.length <= MAX_ENCODED_WORD);
  }
  assert.equal(encodeWords("", { encoding: "B" }), "=?UTF-8?B??=");
});

Deno.test("encodeHeaderText() encodes only when needed", () => {
  assert.equal(encodeHeaderText("Hello world"), "Hello world");
  assert.ok(needsEncoding("looks =?like?= a word"));
  assert.equal(decodeWords(encodeHeaderText("looks =?like?= a word")), "looks =?like?= a word");
  assert.equal(encodeHeaderText("电子邮件"), "=?UTF-8?B?55S15a2Q6YKu5Lu2?=");
});
