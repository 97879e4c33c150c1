/**
 * Hidden checks for the robust SMTP client: permanent failures, and command injection.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { MemoryMailStore, serveSmtp } from "../../lib/smtp/mod.ts";
import type { Transcript } from "../../lib/transcript/transcript.ts";

type Impl = typeof import("../../exercises/03_smtp/robust_client.ts");

const MESSAGE = "Subject: hidden\r\n\r\nhello\r\n";

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "deliver() reports 550 (no such user) as a permanent failure carrying the reply",
    points: 1,
    hint:
      "A 5yz reply will not change on retry: transient = false, and put the reply into the message.",
    run: async (impl) => {
      await using server = serveSmtp({
        store: new MemoryMailStore(),
        users: new Map([["bob", "pw"]]),
        hostname: "mx.test",
        idleTimeoutMs: 4000,
      });
      await assert.rejects(
        impl.deliver(server.port, { from: "al@pc.test", to: "nobody@mx.test" }, MESSAGE, {
          timeoutMs: 2000,
        }),
        (error: Error) => {
          assert.match(error.message, /550/);
          assert.equal(error.name, "DeliveryError", "550 is permanent: a DeliveryError");
          return true;
        },
      );
    },
  },
  {
    name: "deliver() refuses an address that smuggles a second command (CR LF)",
    points: 1,
    hint:
      "Check the addresses before sending anything: CR, LF or angle brackets have no place in them.",
    run: async (impl) => {
      const store = new MemoryMailStore();
      const transcripts: Transcript[] = [];
      await using server = serveSmtp({
        store,
        users: new Map([["bob", "pw"], ["eve", "pw"]]),
        hostname: "mx.test",
        idleTimeoutMs: 4000,
        onTranscript: (t) => transcripts.push(t),
      });
      // A client that always throws refuses injection too: it must deliver first.
      await impl.deliver(server.port, { from: "al@pc.test", to: "bob@mx.test" }, MESSAGE, {
        timeoutMs: 2000,
      });
      await assert.rejects(
        impl.deliver(
          server.port,
          { from: "al@pc.test", to: "bob@mx.test>\r\nRCPT TO:<eve@mx.test" },
          MESSAGE,
          { timeoutMs: 2000 },
        ),
      );
      await server.close();
      const sent = transcripts.flatMap((t) => t.lines()).filter((l) => l.from === "client");
      assert.ok(!sent.some((l) => /eve@/i.test(l.text)), "the smuggled RCPT reached the server");
      assert.equal(store.messages("eve").length, 0);
    },
  },
];
