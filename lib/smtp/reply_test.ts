import assert from "node:assert/strict";
import {
  formatReply,
  parseReply,
  parseReplyLine,
  replyClass,
  ReplyCollector,
  ReplySyntaxError,
} from "./reply.ts";

Deno.test("formatReply() marks every line but the last with a hyphen", () => {
  assert.deepEqual(formatReply({ code: 250, lines: ["mx", "PIPELINING", "SIZE 10"] }), [
    "250-mx",
    "250-PIPELINING",
    "250 SIZE 10",
  ]);
});

Deno.test("formatReply() puts the enhanced code after the reply code", () => {
  assert.deepEqual(formatReply({ code: 550, enhanced: "5.1.1", lines: ["No such user"] }), [
    "550 5.1.1 No such user",
  ]);
});

Deno.test("formatReply() refuses CR or LF in text and codes out of range", () => {
  assert.throws(() => formatReply({ code: 250, lines: ["a\r\n250 b"] }), TypeError);
  assert.throws(() => formatReply({ code: 600, lines: ["x"] }), RangeError);
  assert.throws(() => formatReply({ code: 250, enhanced: "9.9", lines: ["x"] }), RangeError);
});

Deno.test("parseReply() joins multi-line replies and round-trips formatReply()", () => {
  const replies = [
    { code: 250, lines: ["mx greets you", "PIPELINING", "AUTH PLAIN LOGIN"] },
    { code: 550, enhanced: "5.7.1", lines: ["Relay access denied"] },
    { code: 214, enhanced: "2.0.0", lines: ["line one", "line two"] },
    { code: 334, lines: [""] },
  ];
  for (const r of replies) assert.deepEqual(parseReply(formatReply(r)), r);
});

Deno.test("parseReplyLine() accepts a bare code and names what is wrong", () => {
  assert.deepEqual(parseReplyLine("250"), { code: 250, last: true, text: "" });
  assert.throws(() => parseReplyLine("hello"), /missing code/);
  assert.throws(() => parseReplyLine("250_x"), /bad separator/);
});

Deno.test("parseReply() refuses mixed codes and a missing last line", () => {
  assert.throws(() => parseReply(["250-a", "251 b"]), ReplySyntaxError);
  assert.throws(() => parseReply(["250-a", "250-b"]), /no last line/);
  assert.throws(() => parseReply(["250 a", "250 b"]), /before the end/);
});

Deno.test("ReplyCollector waits for the last line", () => {
  const c = new ReplyCollector();
  assert.equal(c.push("250-one"), null);
  assert.deepEqual(c.push("250 two"), { code: 250, lines: ["one", "two"] });
  assert.deepEqual(c.push("221 2.0.0 Bye"), { code: 221, enhanced: "2.0.0", lines: ["Bye"] });
});

Deno.test("replyClass() names the four classes", () => {
  assert.equal(replyClass(250), "positive completion");
  assert.equal(replyClass(354), "positive intermediate");
  assert.equal(replyClass(451), "transient negative");
  assert.equal(replyClass(554), "permanent negative");
});
