/**
 * Grader for dot-stuffing. The last checks hand the learner's block to the course
 * server's own DATA reader, and the server's view of a block to the learner's unstuffer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { LineReader } from "../../lib/net/mod.ts";
import { encodeDataBlock, readDataBlock } from "../../lib/smtp/mod.ts";

type Impl = typeof import("../../exercises/03_smtp/dot_stuffing.ts");

const enc = new TextEncoder();

/** What the course server makes of a DATA block. */
async function serverReads(block: string): Promise<string> {
  const bytes = enc.encode(block + "QUIT\r\n");
  let done = false;
  const reader = new LineReader({
    read(buffer) {
      if (done) return Promise.resolve(null);
      buffer.set(bytes);
      done = true;
      return Promise.resolve(bytes.length);
    },
  }, { maxLineLength: 10_000 });
  const result = await readDataBlock(reader, { maxSize: 100_000 });
  if (result.kind !== "message") throw new Error(`the server read: ${result.kind}`);
  return new TextDecoder().decode(result.bytes);
}

export default defineExercise<Impl>({
  title: "Dot-stuff and un-stuff DATA",
  hints: [
    'Work line by line: split on "\\r\\n". Only a "." at the very START of a line matters; dots elsewhere stay.',
    'stuffData: for each line, if it starts with "." put another "." in front; join with "\\r\\n" and append "\\r\\n.\\r\\n". Drop the message\'s own final "\\r\\n" before splitting, or you get an extra empty line.',
    'unstuffData: check that the block ends with "\\r\\n.\\r\\n" (or is exactly ".\\r\\n"), cut those 5 bytes off, remove ONE leading "." per line, join and add the final "\\r\\n" back.',
  ],
  checks: [
    {
      name: "stuffData() terminates a plain message with CRLF.CRLF",
      points: 1,
      hint: 'The block ends with "\\r\\n.\\r\\n": the last line\'s CRLF, then the dot line.',
      run: (impl) => {
        assert.equal(
          impl.stuffData("Subject: hi\r\n\r\nhello\r\n"),
          "Subject: hi\r\n\r\nhello\r\n.\r\n",
        );
      },
    },
    {
      name: "stuffData() doubles a dot at the start of a line, and only there",
      points: 3,
      hint: "A lone '.' line becomes '..'; '.x' becomes '..x'; 'a.b' stays.",
      run: (impl) => {
        assert.equal(
          impl.stuffData(".\r\n.x\r\na.b\r\n..\r\n"),
          "..\r\n..x\r\na.b\r\n...\r\n.\r\n",
        );
        assert.equal(impl.stuffData(".first line\r\n"), "..first line\r\n.\r\n");
      },
    },
    {
      name: "stuffData() adds a missing final CRLF and handles an empty message",
      points: 2,
      hint:
        "Without a final CRLF the dot would end up on the last text line. An empty message is just the terminator line.",
      run: (impl) => {
        assert.equal(impl.stuffData("no newline"), "no newline\r\n.\r\n");
        assert.equal(impl.stuffData(""), ".\r\n");
      },
    },
    {
      name: "unstuffData() removes exactly one dot per line and the terminator",
      points: 3,
      hint: "'...x' becomes '..x', not 'x'.",
      run: (impl) => {
        assert.equal(
          impl.unstuffData("..\r\n...x\r\n.y\r\na.b\r\n.\r\n"),
          ".\r\n..x\r\ny\r\na.b\r\n",
        );
        assert.equal(impl.unstuffData(".\r\n"), "");
      },
    },
    {
      name: "unstuffData() refuses a block without its terminator",
      points: 2,
      hint:
        "Throw when the block does not end with CRLF.CRLF: a bare LF ending is not the end (SMTP smuggling).",
      run: (impl) => {
        assert.equal(impl.unstuffData("hello\r\n.\r\n"), "hello\r\n", "a good block still reads");
        assert.throws(() => impl.unstuffData("hello\r\n"));
        assert.throws(() => impl.unstuffData("hello\n.\n"));
      },
    },
    {
      name:
        "the course server reads your stuffed block back as the message, and yours reads the server's",
      points: 3,
      hint: "Round trip: unstuffData(stuffData(m)) must be m for any CRLF message m.",
      run: async (impl) => {
        const samples = [
          "a\r\n",
          ".\r\n",
          "..\r\n.\r\n...\r\n",
          "x\r\n\r\n.hidden\r\nend\r\n",
          "from: x\r\n\r\n. \r\n",
        ];
        for (const m of samples) {
          assert.equal(
            await serverReads(impl.stuffData(m)),
            m,
            `server reading stuffData(${JSON.stringify(m)})`,
          );
          assert.equal(
            impl.unstuffData(new TextDecoder().decode(encodeDataBlock(enc.encode(m)))),
            m,
          );
        }
      },
    },
  ],
});
