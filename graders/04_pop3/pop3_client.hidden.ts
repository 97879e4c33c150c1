/**
 * Hidden checks for the POP3 client: a big mailbox, and a line that is only dots.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { courseServer } from "./pop3_client.grader.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_client.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "downloadAll() keeps lines made only of dots and a 200 KB message intact",
    points: 1,
    hint:
      "Remove exactly one leading dot from a stuffed line: '...' on the wire is '..' in the message.",
    run: async (impl) => {
      const big = "Subject: big\r\n\r\n" + "0123456789abcdef".repeat(64).concat("\r\n").repeat(200);
      const { server, messages } = courseServer(["Subject: dots\r\n\r\n..\r\n...\r\n. \r\n", big]);
      await using _ = server;
      const got = await impl.downloadAll(server.port, "alice", "wonderland", { timeoutMs: 3000 });
      assert.deepEqual(got.messages.map((m) => new TextDecoder().decode(m)), messages);
    },
  },
];
