/**
 * Hidden checks for the POP3 client: a big mailbox, a line that is only dots, and sizes
 * that come from LIST.
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
  {
    name: "downloadAll() gives the sizes LIST reports, also for a message stored with bare LF",
    points: 1,
    hint:
      "Take each size from LIST's 'n size' lines: it is the size on the server, which need not be the length of what RETR sends (the wire always has CRLF).",
    run: async (impl) => {
      // Stored with LF ends: LIST gives the stored size, RETR sends the lines with CRLF.
      const stored = "Subject: unix\n\nline one\nline two\n";
      const { server } = courseServer([stored]);
      await using _ = server;
      const got = await impl.downloadAll(server.port, "alice", "wonderland", { timeoutMs: 3000 });
      assert.equal(got.sizes.at(-1), new TextEncoder().encode(stored).length);
      assert.equal(new TextDecoder().decode(got.messages.at(-1)), stored.replaceAll("\n", "\r\n"));
    },
  },
];
