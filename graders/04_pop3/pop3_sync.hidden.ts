/**
 * Hidden checks for the POP3 sync: a sync cut off half-way returns nothing half-done,
 * and a server that sends one byte at a time changes nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { serveMisbehavingPop3 } from "../../lib/misbehave/mod.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_sync.ts");

const decoder = new TextDecoder();
const options = { timeoutMs: 1000 };

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "a sync cut off in the middle of a message throws instead of returning half of it",
    points: 1,
    hint: "A message ends at its '.' line; a connection that closes before it is an error.",
    timeoutMs: 8000,
    run: async (impl) => {
      {
        await using polite = serveMisbehavingPop3({ scenario: "polite" });
        await impl.syncNew(polite.port, "alice", "wonderland", [], options);
      }
      await using cut = serveMisbehavingPop3({ scenario: "close-mid-transfer" });
      await assert.rejects(impl.syncNew(cut.port, "alice", "wonderland", [], options));
    },
  },
  {
    name: "a server that sends one byte per write gets the same result, and keeps its mail",
    points: 1,
    hint: "Read whole lines (a LineReader buffers): a read is not a line.",
    timeoutMs: 8000,
    run: async (impl) => {
      await using slow = serveMisbehavingPop3({ scenario: "one-byte-writes" });
      const result = await impl.syncNew(slow.port, "alice", "wonderland", ["gone-id"], options);
      assert.deepEqual(
        result.fetched.map((m) => [m.uid, decoder.decode(m.bytes)]),
        slow.mailbox.map((m) => [m.uid, decoder.decode(m.bytes)]),
      );
      assert.deepEqual(result.gone, ["gone-id"]);
      assert.equal(slow.mailbox.length, 3, "nothing deleted");
    },
  },
];
