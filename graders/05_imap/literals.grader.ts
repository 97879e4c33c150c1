/**
 * Grader for splitFrames(): responses with literals, checked on bytes.
 *
 * @module
 */

import { concatBytes } from "../../lib/mail/bytes.ts";
import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";

type Impl = typeof import("../../exercises/05_imap/literals.ts");

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const concat = (...parts: Uint8Array[]) => concatBytes(parts);

export default defineExercise<Impl>({
  title: "Split IMAP responses with literals",
  hints: [
    "Work on the bytes, not on a decoded string: find LF with wire.indexOf(0x0a, from) and decode one line at a time.",
    "When a line ends with {n} (test with /\\{(\\d+)\\}$/), the next n BYTES are the literal; then the same response continues with another line.",
    "Before taking a line or a literal, check it is all there: no LF yet, or fewer than n bytes left, means the response is still arriving; stop without returning it.",
  ],
  checks: [
    {
      name: "splitFrames() splits plain response lines",
      points: 1,
      hint: "Each CRLF-terminated line without a {n} marker is a frame of its own; drop the CRLF.",
      run(impl) {
        const frames = impl.splitFrames(
          enc("* 3 EXISTS\r\n* 1 RECENT\r\na1 OK [READ-WRITE] done\r\n"),
        );
        assert.deepEqual(frames.map((f) => f.lines), [["* 3 EXISTS"], ["* 1 RECENT"], [
          "a1 OK [READ-WRITE] done",
        ]]);
        assert.deepEqual(frames.map((f) => f.literals.length), [0, 0, 0]);
      },
    },
    {
      name: "splitFrames() keeps a literal's CRLFs inside the literal",
      points: 2,
      hint:
        "After a line ending in {n}, take n bytes as they are, even if they contain CRLF; then read the rest of the response.",
      run(impl) {
        const frames = impl.splitFrames(
          enc("* 1 FETCH (BODY[] {12}\r\nSubject: x\r\n FLAGS (\\Seen))\r\na1 OK done\r\n"),
        );
        assert.equal(frames.length, 2);
        assert.deepEqual(frames[0].lines, ["* 1 FETCH (BODY[] {12}", " FLAGS (\\Seen))"]);
        assert.equal(dec(frames[0].literals[0]), "Subject: x\r\n");
        assert.deepEqual(frames[1].lines, ["a1 OK done"]);
      },
    },
    {
      name: "splitFrames() counts literals in octets, not characters",
      points: 2,
      hint:
        "{n} counts bytes. A UTF-8 'é' is two bytes; decoding to a string first shifts everything after it.",
      run(impl) {
        const body = enc("Subject: café\r\n\r\n中文\r\n");
        const wire = concat(
          enc(`* 2 FETCH (BODY[] {${body.length}}\r\n`),
          body,
          enc(")\r\na2 OK done\r\n"),
        );
        const frames = impl.splitFrames(wire);
        assert.equal(frames.length, 2);
        assert.deepEqual([...frames[0].literals[0]], [...body]);
        assert.deepEqual(frames[1].lines, ["a2 OK done"]);
      },
    },
    {
      name: "splitFrames() handles several literals in one response, and binary octets",
      points: 2,
      hint:
        "After a literal the response goes on with a new line, which may itself end with another {n}.",
      run(impl) {
        const bin = new Uint8Array([0, 255, 13, 10, 128]);
        const wire = concat(
          enc("* 1 FETCH (BODY[1] {5}\r\n"),
          bin,
          enc(" BODY[2] {0}\r\n"),
          enc(")\r\n"),
        );
        const [frame, ...rest] = impl.splitFrames(wire);
        assert.equal(rest.length, 0);
        assert.deepEqual(frame.lines, ["* 1 FETCH (BODY[1] {5}", " BODY[2] {0}", ")"]);
        assert.deepEqual(frame.literals.map((l) => [...l]), [[...bin], []]);
      },
    },
    {
      name: "splitFrames() takes {n} as a literal only at the very end of a line",
      points: 2,
      hint:
        "Test the line with /\{(\d+)\}$/: a {5} in the middle of a line is just text (RFC 3501 4.3: the literal's size ends the line).",
      run(impl) {
        const frames = impl.splitFrames(enc("* OK [ALERT] quota {5} of 10\r\na1 OK done\r\n"));
        assert.deepEqual(frames.map((f) => f.lines), [["* OK [ALERT] quota {5} of 10"], [
          "a1 OK done",
        ]]);
        assert.deepEqual(frames.map((f) => f.literals.length), [0, 0]);
      },
    },
    {
      name: "splitFrames() leaves out a response that is still arriving",
      points: 2,
      hint:
        "If the literal announced by {n} has fewer than n bytes so far, or a line has no LF yet, stop before that response.",
      run(impl) {
        assert.deepEqual(
          impl.splitFrames(enc("* OK hi\r\n* 1 FETCH (BODY[] {100}\r\nonly part")).map((f) =>
            f.lines
          ),
          [["* OK hi"]],
        );
        assert.deepEqual(impl.splitFrames(enc("* OK hi\r\na1 OK don")).map((f) => f.lines), [[
          "* OK hi",
        ]]);
      },
    },
  ],
});
