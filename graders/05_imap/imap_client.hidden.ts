/**
 * Hidden checks for the IMAP client: every part of every sample message, octet for octet.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { serveMisbehavingImap } from "../../lib/misbehave/mod.ts";
import { expected } from "./imap_client.grader.ts";

type Impl = typeof import("../../exercises/05_imap/imap_client.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "fetchHeaderAndPart() gets each part of a multipart message right (1, 2 and 3)",
    points: 1,
    hint: "Put the part number into BODY.PEEK[n] and look for BODY[n] in the answer.",
    timeoutMs: 8000,
    run: async (impl) => {
      await using server = serveMisbehavingImap({ scenario: "split-writes" });
      const report = server.messages[1];
      for (const part of ["1", "2", "3"]) {
        const got = await impl.fetchHeaderAndPart(
          server.port,
          "alice",
          "wonderland",
          report.uid,
          part,
          {
            timeoutMs: 1000,
          },
        );
        const want = expected(report.bytes, part);
        assert.equal(new TextDecoder().decode(got.part), want.part, `part ${part}`);
        assert.equal(new TextDecoder().decode(got.header), want.header);
      }
    },
  },
];
