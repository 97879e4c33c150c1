/**
 * Grader for the warm-up: the learner's client talks to a real TINY server on loopback,
 * and the server's own record of the session is the judge.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { serveTiny, type TinySession } from "../../lib/tiny/server.ts";
import { withTimeout } from "../../lib/net/timeout.ts";

type Impl = typeof import("../../exercises/00_welcome/ask_tiny.ts");

/** Run `askTiny` against a fresh server; return its reply and the server's view of the session. */
async function session(impl: Impl, command: string): Promise<{ reply: string; seen: TinySession }> {
  await using server = serveTiny({ idleTimeoutMs: 2000 });
  const ended = server.nextSessionEnd();
  const reply = await impl.askTiny(server.port, command);
  const seen = await withTimeout(ended, 2500, "the client to close its connection");
  return { reply, seen };
}

export default defineExercise<Impl>({
  title: "Ask the TINY server",
  uses: ["lib/net/"],
  hints: [
    "Each step is one call: connectLoopback(port), then new LineReader(conn) and new LineWriter(conn) around the connection.",
    "The server speaks first. Read its greeting with reader.readLine() before you send anything, or you will take the greeting for the reply.",
    "writer.writeLine() adds the CRLF for you. After the reply, send QUIT, read '+OK bye', then conn.close() (or declare the connection with `using`).",
  ],
  checks: [
    {
      name: "askTiny() returns the server's reply to ECHO",
      points: 2,
      hint: "Return the line that answers your command (not the greeting), without its CRLF.",
      run: async (impl) => {
        const { reply } = await session(impl, "ECHO hello, loopback");
        assert.equal(reply, "+OK hello, loopback");
      },
    },
    {
      name: "askTiny() returns what the server said, for any command",
      points: 1,
      hint: "Read the reply from the connection; do not build it yourself.",
      run: async (impl) => {
        const { reply, seen } = await session(impl, "TIME");
        assert.match(reply, /^\+OK \d{4}-\d\d-\d\dT/);
        assert.equal(seen.lines[0]?.text, "TIME");
      },
    },
    {
      name: "askTiny() ends every line with CRLF",
      points: 1,
      hint:
        "Lines in mail protocols end with \\r\\n, not \\n alone: LineWriter.writeLine does that.",
      run: async (impl) => {
        const { seen } = await session(impl, "UPPER crlf");
        assert.ok(seen.lines.length > 0, "the server received no line");
        for (const line of seen.lines) {
          assert.equal(
            line.ending,
            "CRLF",
            `the line ${JSON.stringify(line.text)} ended with a bare LF`,
          );
        }
      },
    },
    {
      name: "askTiny() says QUIT before it leaves",
      points: 1,
      hint:
        "A polite client ends the session with QUIT and waits for +OK bye; mail servers (POP3!) act only then.",
      run: async (impl) => {
        const { seen } = await session(impl, "ECHO bye");
        assert.ok(
          seen.quit,
          `the server never got QUIT; it got ${JSON.stringify(seen.lines.map((l) => l.text))}`,
        );
      },
    },
  ],
});
