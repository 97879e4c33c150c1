import assert from "node:assert/strict";
import { analyzeLoss, DROPPED, lossCaptureOrShipped, shippedLossCapture } from "./loss.ts";
import { courseDropRules, loopbackQdisc, withLoopbackDrop } from "./loopback_drop.ts";
import { tcpSegments } from "../packet/segments.ts";
import { requireRoot, requireTool } from "../../tests/tools.ts";

/** What the page says about any run of the experiment, checked on one. */
function assertRepaired(rows: ReturnType<typeof analyzeLoss>, dropper: string) {
  for (const line of DROPPED) {
    const delivered = rows.find((r) => r.lines.includes(line) && r.afterWrite !== undefined);
    assert.ok(delivered, `a copy of ${line} got through`);
    assert.ok(
      delivered.retransmission || dropper === "netem",
      `${line}'s copy is a retransmission`,
    );
  }
  const hole = rows.findIndex((r) => r.duplicateAck > 0);
  assert.ok(hole >= 0, "the receiver sent a duplicate ACK");
  assert.ok(rows[hole].sack.length > 0, "with a SACK block saying what did arrive");
  if (dropper === "iptables") assert.equal(rows.filter((r) => r.lost).length, DROPPED.length);
}

Deno.test("analyzeLoss() finds the lost copies, the duplicate ACK and both retransmissions in the shipped capture", async () => {
  const { pcap, writes } = await shippedLossCapture();
  assertRepaired(analyzeLoss(tcpSegments(pcap), writes), writes.dropper);
});

Deno.test({
  name: "the loss experiment runs live, and leaves no qdisc on lo and no iptables rule",
  ...requireRoot("changing how lo treats packets"),
  ...requireTool("tcpdump", "tc", "iptables"),
  async fn() {
    const before = await loopbackQdisc();
    let capture = await lossCaptureOrShipped({ timeoutMs: 5000 });
    // Another checkout's notebook run may hold the machine's one loss experiment for a
    // moment (a flock, which has no event to wait on): ask again for up to ten seconds.
    for (let tries = 0; tries < 40 && /another loss experiment/.test(capture.reason); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      capture = await lossCaptureOrShipped({ timeoutMs: 5000 });
    }
    assert.equal(capture.source, "live", capture.reason);
    assertRepaired(analyzeLoss(tcpSegments(capture.pcap), capture.writes), capture.writes.dropper);
    assert.equal(await loopbackQdisc(), before);
    assert.deepEqual(await courseDropRules(), []);
  },
});

Deno.test({
  name: "withLoopbackDrop() removes what it installed when the experiment fails",
  ...requireRoot("changing how lo treats packets"),
  ...requireTool("tc", "iptables"),
  async fn() {
    const before = await loopbackQdisc();
    await assert.rejects(
      withLoopbackDrop(9, async (drop) => {
        await drop.on();
        throw new Error("the experiment broke");
      }),
      /the experiment broke/,
    );
    assert.equal(await loopbackQdisc(), before);
    assert.deepEqual(await courseDropRules(), []);
  },
});
