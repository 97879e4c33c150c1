import assert from "node:assert/strict";
import { describeSegment, flagText, segmentEnd, segmentLength } from "./segment.ts";

const flags = (on: string) => ({
  syn: on.includes("S"),
  ack: on.includes("A"),
  fin: on.includes("F"),
  rst: on.includes("R"),
  psh: on.includes("P"),
});

Deno.test("segmentLength() counts SYN and FIN as one number each", () => {
  assert.equal(segmentLength({ flags: flags("S"), payloadLength: 0 }), 1);
  assert.equal(segmentLength({ flags: flags("FA"), payloadLength: 0 }), 1);
  assert.equal(segmentLength({ flags: flags("AP"), payloadLength: 12 }), 12);
  assert.equal(segmentLength({ flags: flags("FAP"), payloadLength: 5 }), 6);
  assert.equal(segmentLength({ flags: flags("A"), payloadLength: 0 }), 0);
});

Deno.test("segmentEnd() wraps around 2^32", () => {
  assert.equal(segmentEnd({ seq: 0xffff_ffff, flags: flags("S"), payloadLength: 0 }), 0);
});

Deno.test("flagText() and describeSegment() print what the segment carries", () => {
  assert.equal(flagText(flags("FA")), "FIN,ACK");
  assert.equal(flagText(flags("")), "none");
  const segment = {
    from: "c",
    to: "s",
    seq: 1001,
    ack: 5001,
    flags: flags("AP"),
    payloadLength: 4,
  };
  assert.equal(describeSegment(segment), "ACK,PSH seq=1001 ack=5001 len=4");
  assert.equal(
    describeSegment(segment, { isn: { c: 1000, s: 5000 } }),
    "ACK,PSH seq=1 ack=1 len=4",
  );
});
