/**
 * Grader for reading and writing multi-line responses with byte-stuffing. The last check
 * feeds the learner's reader what our real server sends.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { encodeMessage } from "../../lib/pop3/multiline.ts";

type Impl = typeof import("../../exercises/04_pop3/multiline.ts");

export default defineExercise<Impl>({
  title: "Multi-line responses and byte-stuffing",
  hints: [
    "The first line is the status. After -ERR nothing else belongs to this response: body is [] and rest is every following line.",
    'Loop over the lines after the status: the line that is exactly "." ends the body (return the remaining lines as rest); any other line starting with "." loses exactly one dot.',
    'stuff() is the mirror image: add one dot to each line that starts with a dot, then append ".". If the loop in readMultiline ends without meeting ".", throw.',
  ],
  checks: [
    {
      name: "readMultiline() returns status and body up to the terminator",
      points: 2,
      hint: 'Stop at the line "."; it is not part of the body.',
      run: (impl) => {
        const r = impl.readMultiline(["+OK 2 messages", "1 120", "2 200", "."]);
        assert.equal(r.status, "+OK 2 messages");
        assert.deepEqual(r.body, ["1 120", "2 200"]);
        assert.deepEqual(r.rest, []);
      },
    },
    {
      name: "readMultiline() removes exactly one stuffed dot",
      points: 3,
      hint: '".." becomes ".", "...x" becomes "..x": remove one dot, not all of them.',
      run: (impl) => {
        const r = impl.readMultiline(["+OK", "..", "...x", ".y", "a.b", "", "."]);
        assert.deepEqual(r.body, [".", "..x", "y", "a.b", ""]);
      },
    },
    {
      name: "readMultiline() leaves the lines after the terminator in rest",
      points: 2,
      hint: "A pipelining client has the next response's lines already; return them untouched.",
      run: (impl) => {
        const r = impl.readMultiline(["+OK", "TOP", ".", "+OK 1 2", "-ERR x"]);
        assert.deepEqual(r.body, ["TOP"]);
        assert.deepEqual(r.rest, ["+OK 1 2", "-ERR x"]);
      },
    },
    {
      name: "readMultiline() reads no body after -ERR",
      points: 2,
      hint: "A -ERR response is a single line.",
      run: (impl) => {
        const r = impl.readMultiline(["-ERR no such message", "+OK 1 2"]);
        assert.equal(r.status, "-ERR no such message");
        assert.deepEqual(r.body, []);
        assert.deepEqual(r.rest, ["+OK 1 2"]);
      },
    },
    {
      name: "readMultiline() throws on a missing terminator or a bad status line",
      points: 2,
      hint:
        'Reaching the end of the lines without "." means the response is incomplete: throw an Error.',
      run: (impl) => {
        assert.deepEqual(impl.readMultiline(["+OK", "."]).body, [], "an empty body is fine");
        assert.throws(() => impl.readMultiline(["+OK", "line"]), "a body without its terminator");
        assert.throws(() => impl.readMultiline([]));
        assert.throws(() => impl.readMultiline(["250 OK", "."]));
      },
    },
    {
      name: "stuff() byte-stuffs and terminates, and readMultiline() undoes it",
      points: 2,
      hint: 'stuff(["."]) is ["..", "."]; do not forget the final ".".',
      run: (impl) => {
        assert.deepEqual(impl.stuff([".", "a", ".b"]), ["..", "a", "..b", "."]);
        assert.deepEqual(impl.stuff([]), ["."]);
        const body = ["..", ".", "", "x.", "...z"];
        assert.deepEqual(impl.readMultiline(["+OK", ...impl.stuff(body)]).body, body);
      },
    },
    {
      name: "readMultiline() reads what the course's POP3 server sends for RETR",
      points: 2,
      hint:
        "Split the server's bytes at CRLF and feed the lines in; the body must be the message's lines.",
      run: (impl) => {
        const message = "Subject: dots\r\n\r\n.\r\n..two\r\nend\r\n";
        const wire = "+OK 30 octets\r\n" +
          new TextDecoder().decode(encodeMessage(new TextEncoder().encode(message)));
        const lines = wire.split("\r\n").slice(0, -1);
        const r = impl.readMultiline(lines);
        assert.equal(r.body.map((l) => l + "\r\n").join(""), message);
      },
    },
  ],
});
