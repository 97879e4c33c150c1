/**
 * Hidden checks for the learner's SMTP server: nothing kept from a client that vanished
 * mid-DATA, and close() that really closes.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { connectLoopback, withTimeout } from "../../lib/net/mod.ts";
import { rawSession } from "./smtp_server.grader.ts";

type Impl = typeof import("../../exercises/03_smtp/smtp_server.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name:
      "a client that vanishes in the middle of DATA leaves nothing kept, and the next one is served",
    points: 1,
    hint: "Keep the message only after the '.' line; when readLine() returns null, just return.",
    run: async (impl) => {
      const server = await impl.startServer({ hostname: "mx.test" });
      try {
        {
          using s = await rawSession(server.port);
          await s.reply();
          await s.send(
            "EHLO pc.test\r\nMAIL FROM:<al@pc.test>\r\nRCPT TO:<bob@mx.test>\r\nDATA\r\n",
          );
          for (let i = 0; i < 4; i++) await s.reply();
          await s.send("Subject: half\r\n\r\nonly half of it");
        } // closed mid-DATA
        using t = await rawSession(server.port);
        assert.equal((await t.reply()).code, 220, "the next client is greeted");
        await t.send("QUIT\r\n");
        await t.reply();
      } finally {
        await server.close(); // waits for every connection's handler to finish
      }
      assert.deepEqual(await server.messages(), [], "half a message was kept");
    },
  },
  {
    name: "close() stops listening and ends open connections",
    points: 1,
    hint: "Return the loopback server's own close(): it closes the listener and every connection.",
    run: async (impl) => {
      const server = await impl.startServer({ hostname: "mx.test" });
      using s = await rawSession(server.port);
      await s.reply();
      await withTimeout(server.close(), 3000, "close()");
      assert.ok(await s.closedByServer(), "an open connection survived close()");
      await assert.rejects(connectLoopback(server.port, { timeoutMs: 1000 }));
    },
  },
];
