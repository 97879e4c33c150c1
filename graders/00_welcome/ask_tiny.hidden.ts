/**
 * Hidden checks for the warm-up: run only at grading time (`deno task grade --hidden`),
 * left out of the learner's copy. They probe what the visible checks do not show.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
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
];
