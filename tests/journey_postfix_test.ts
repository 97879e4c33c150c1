/**
 * Chapter 6's chain with the real MTA in it: Postfix as b.test's gateway between our
 * submission server and our mailbox server.
 *
 * @module
 */

import assert from "node:assert/strict";
import { receivedLines } from "../lib/smtp/received.ts";
import { runJourney, sampleMessage, traceAgainstTimeline } from "../lib/journey/mod.ts";

const MESSAGE = sampleMessage({ body: [".a dot line", "8-bit: 你好", "x".repeat(900)] });
import { requireRoot, requireTool } from "./tools.ts";

function needsPostfix() {
  const tools = requireTool("postfix", "postconf");
  return tools.ignore ? tools : requireRoot("Postfix's master process");
}

Deno.test({
  name: "runJourney() with Postfix as the gateway: relayed, stored and read back whole",
  ...needsPostfix(),
  fn: async () => {
    const run = await runJourney(MESSAGE, { gateway: "postfix" });
    assert.equal(run.gateway.software, "Postfix");
    const landed = new TextDecoder().decode(run.landing.bytes);
    assert.ok(landed.endsWith(MESSAGE), "Postfix changed the message");
    assert.equal(new TextDecoder().decode(run.pop3.bytes), landed);
    assert.equal(new TextDecoder().decode(run.imap.bytes), landed);
    assert.match(receivedLines(landed)[1], /^from smtp\.a\.test .* by mx2\.b\.test \(Postfix\)/);
    const hops = traceAgainstTimeline(run.landing.bytes, run.recorder);
    assert.deepEqual(hops.map((h) => h.connection), [
      "submission",
      "MX relay",
      "gateway → mailbox server",
    ]);
    assert.ok(hops.every((h) => h.agrees), JSON.stringify(hops));
    // Postfix queues: it answers 250 before it opens the next hop (store and forward).
    assert.ok(hops[1].acceptedAt! < hops[2].dataAt!);
  },
});
