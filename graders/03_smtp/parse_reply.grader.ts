/**
 * Grader for reading multi-line SMTP replies. The last check feeds the learner's reader
 * the real EHLO reply of the course server.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { ehloReply, formatReply } from "../../lib/smtp/mod.ts";

type Impl = typeof import("../../exercises/03_smtp/parse_reply.ts");

export default defineExercise<Impl>({
  title: "Read multi-line SMTP replies",
  hints: [
    "Look at the fourth character of each line: '-' means the reply goes on, ' ' or nothing means this is its last line.",
    "Use a regular expression like /^(\\d{3})([ -]|$)(.*)$/ on each line; the text is what follows the separator.",
    "Remember the first line's code and compare every later line with it; return as soon as you meet the last line, with the remaining lines as rest; if the loop ends first, throw.",
  ],
  checks: [
    {
      name: "readReply() reads a one-line reply",
      points: 1,
      hint: "The text is everything after the code and the space.",
      run: (impl) => {
        assert.deepEqual(impl.readReply(["250 2.1.0 Ok"]), {
          code: 250,
          lines: ["2.1.0 Ok"],
          rest: [],
        });
      },
    },
    {
      name: "readReply() joins the lines of a multi-line reply",
      points: 3,
      hint: "Keep reading while the separator is '-'.",
      run: (impl) => {
        const r = impl.readReply(["250-mx greets pc", "250-PIPELINING", "250 SIZE 1000"]);
        assert.equal(r.code, 250);
        assert.deepEqual(r.lines, ["mx greets pc", "PIPELINING", "SIZE 1000"]);
      },
    },
    {
      name: "readReply() leaves the following replies in rest",
      points: 2,
      hint: "After pipelined commands several replies are waiting: stop at the end of the first.",
      run: (impl) => {
        const r = impl.readReply(["250 2.1.0 Ok", "550-5.1.1 no", "550 5.1.1 such user", "354 go"]);
        assert.deepEqual(r.rest, ["550-5.1.1 no", "550 5.1.1 such user", "354 go"]);
        const second = impl.readReply(r.rest);
        assert.deepEqual(second.lines, ["5.1.1 no", "5.1.1 such user"]);
        assert.deepEqual(second.rest, ["354 go"]);
      },
    },
    {
      name: "readReply() accepts a bare code as a last line",
      points: 1,
      hint: "RFC 5321 allows a reply line with just the code: '250' (the text is empty).",
      run: (impl) => {
        assert.deepEqual(impl.readReply(["334"]), { code: 334, lines: [""], rest: [] });
        assert.deepEqual(impl.readReply(["250-a", "250"]).lines, ["a", ""]);
      },
    },
    {
      name: "readReply() throws on bad lines, mixed codes and a missing last line",
      points: 3,
      hint: "Throw an Error when a line has no code, the codes differ, or every line has '-'.",
      run: (impl) => {
        assert.equal(impl.readReply(["250 ok"]).code, 250, "a good reply still parses");
        assert.throws(() => impl.readReply([]), Error, "no lines");
        assert.throws(() => impl.readReply(["hello"]), Error, "no code");
        assert.throws(() => impl.readReply(["250x"]), Error, "bad separator");
        assert.throws(() => impl.readReply(["250-a", "251 b"]), Error, "mixed codes");
        assert.throws(() => impl.readReply(["250-a", "250-b"]), Error, "no last line");
      },
    },
    {
      name: "readReply() reads the course server's real EHLO reply",
      points: 2,
      hint: "Test with what a server really sends: many '250-' lines, then one '250 ' line.",
      run: (impl) => {
        const config = {
          hostname: "mx.test",
          maxMessageSize: 1000,
          maxRecipients: 10,
          authMechanisms: ["PLAIN" as const],
        };
        const wire = [...formatReply(ehloReply(config, "pc")), "250 2.1.0 Ok"];
        const r = impl.readReply(wire);
        assert.equal(r.lines.length, wire.length - 1);
        assert.ok(r.lines.includes("AUTH PLAIN"));
        assert.deepEqual(r.rest, ["250 2.1.0 Ok"]);
      },
    },
  ],
});
