/**
 * Hidden checks for the warm-up: run only at grading time (`deno task grade --hidden`),
 * left out of the learner's copy. They probe what the visible checks do not show.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { fc } from "../../lib/grading/property.ts";
import { serveLoopback } from "../../lib/net/mod.ts";
import { serveTiny } from "../../lib/tiny/server.ts";

type Impl = typeof import("../../exercises/00_welcome/ask_tiny.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "askTiny() carries non-ASCII text through intact (UTF-8 both ways)",
    points: 1,
    hint:
      "Encode what you send and decode what you receive as UTF-8 (TextEncoder/TextDecoder, or LineReader's text).",
    run: async (impl) => {
      await using server = serveTiny({ idleTimeoutMs: 2000 });
      assert.equal(await impl.askTiny(server.port, "ECHO 电子邮件 ✉"), "+OK 电子邮件 ✉");
    },
  },
  {
    name: "askTiny() returns the server's reply exactly, for generated texts",
    points: 1,
    hint: "Return the reply line as it came, without trimming or re-encoding it.",
    timeoutMs: 10_000,
    run: async (impl) => {
      await using server = serveTiny({ idleTimeoutMs: 2000 });
      const texts = fc.sample(
        fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)),
        { numRuns: 12, seed: 7 },
      );
      for (const text of ["  spaced  ", "trailing ", ...texts]) {
        const reply = await impl.askTiny(server.port, `ECHO ${text}`);
        assert.equal(reply, `+OK ${text}`, `askTiny(port, ${JSON.stringify(`ECHO ${text}`)})`);
      }
    },
  },
  {
    name: "askTiny() fails when the server hangs up before answering",
    points: 1,
    hint:
      "readLine() returns null when the server closed the connection: throw an Error then, do not return an empty reply.",
    run: async (impl) => {
      await using server = serveLoopback(async (conn) => {
        await conn.write(new TextEncoder().encode("+OK tiny server ready\r\n"));
        conn.close();
      });
      await assert.rejects(impl.askTiny(server.port, "ECHO hi"));
    },
  },
];
