/**
 * Hidden checks for the SMTP client: generated messages (dots, empty lines, UTF-8)
 * delivered to the course server byte for byte, and a server that answers the
 * greeting with a refusal.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Check } from "../../lib/grading/exercise.ts";
import { fc } from "../../lib/grading/property.ts";
import { serveLoopback } from "../../lib/net/mod.ts";
import { MemoryMailStore, serveSmtp } from "../../lib/smtp/mod.ts";

type Impl = typeof import("../../exercises/03_smtp/mini_client.ts");

const line = fc.oneof(
  fc.constantFrom("", ".", "..", ". ", ".x", "x.", "Subject: é ✉"),
  fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)),
);

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "deliver() carries 15 generated messages to the course server byte for byte",
    points: 2,
    hint:
      "Stuff every line that starts with a dot, keep empty lines and UTF-8 text as they are, and end with the '.' line.",
    timeoutMs: 20_000,
    run: async (impl) => {
      const bodies = fc.sample(fc.array(line, { minLength: 1, maxLength: 6 }), {
        numRuns: 15,
        seed: 9,
      });
      const store = new MemoryMailStore();
      await using server = serveSmtp({
        store,
        users: new Map([["bob", "pw"]]),
        hostname: "mx.test",
      });
      for (const [i, body] of bodies.entries()) {
        const message = `Subject: ${i}\r\n\r\n${body.map((l) => `${l}\r\n`).join("")}`;
        await impl.deliver(server.port, "al@pc.test", "bob@mx.test", message);
        const stored = store.texts("bob")[i]?.replace(
          /^Return-Path: .*\r\nReceived: .*\r\n(?:\t.*\r\n)*/,
          "",
        );
        assert.equal(
          stored,
          message,
          `deliver(port, "al@pc.test", "bob@mx.test", ${JSON.stringify(message)})`,
        );
      }
    },
  },
  {
    name: "deliver() throws when the greeting is a refusal (554)",
    points: 1,
    hint:
      "The greeting is a reply like any other: anything but 220 means the server will not talk.",
    run: async (impl) => {
      await using server = serveLoopback(async (conn) => {
        await conn.write(new TextEncoder().encode("554 5.3.2 not accepting mail\r\n"));
        const buffer = new Uint8Array(1024);
        while ((await conn.read(buffer).catch(() => null)) !== null) {
          // read whatever the client says until it hangs up
        }
      });
      await assert.rejects(impl.deliver(server.port, "al@pc.test", "bob@mx.test", "x\r\n"), /554/);
    },
  },
];
