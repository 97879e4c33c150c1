/**
 * Hidden checks for the POP3 sync: a sync cut off half-way loses nothing and stores no
 * half message; a server that sends one byte at a time changes nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { serveMisbehavingPop3 } from "../../lib/misbehave/mod.ts";
import { storedMessages } from "../03_smtp/smtp_server.grader.ts";

type Impl = typeof import("../../exercises/04_pop3/pop3_sync.ts");

async function withFolder(fn: (maildir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pop3-sync-hidden-" });
  try {
    await fn(`${dir}/Maildir`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const decoder = new TextDecoder();

export const hiddenChecks: Check<Impl>[] = [
  {
    name:
      "a sync cut off in the middle of a message stores no half message, and the next sync gets it",
    points: 1,
    hint: "Store a message only once its '.' arrived, and record its id only after it is stored.",
    timeoutMs: 8000,
    run: (impl) =>
      withFolder(async (maildir) => {
        {
          await using cut = serveMisbehavingPop3({ scenario: "close-mid-transfer" });
          await assert.rejects(
            impl.syncMaildir(cut.port, "alice", "wonderland", maildir, { timeoutMs: 1000 }),
          );
        }
        assert.deepEqual(
          await storedMessages(maildir, true).catch(() => []),
          [],
          "half a message stored",
        );
        await using polite = serveMisbehavingPop3({ scenario: "polite" });
        const result = await impl.syncMaildir(polite.port, "alice", "wonderland", maildir, {
          timeoutMs: 1000,
        });
        assert.equal(result.fetched.length, 3);
        assert.deepEqual(
          (await storedMessages(maildir, true)).sort(),
          polite.mailbox.map((m) => decoder.decode(m.bytes)).sort(),
        );
      }),
  },
  {
    name: "a server that sends one byte per write gets the same result",
    points: 1,
    hint: "Read whole lines (a LineReader buffers): a read is not a line.",
    timeoutMs: 8000,
    run: (impl) =>
      withFolder(async (maildir) => {
        await using slow = serveMisbehavingPop3({ scenario: "one-byte-writes" });
        await impl.syncMaildir(slow.port, "alice", "wonderland", maildir, { timeoutMs: 1000 });
        assert.deepEqual(
          (await storedMessages(maildir, true)).sort(),
          slow.mailbox.map((m) => decoder.decode(m.bytes)).sort(),
        );
        assert.equal(slow.mailbox.length, 3, "nothing deleted");
      }),
  },
];
