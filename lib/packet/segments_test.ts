import assert from "node:assert/strict";
import { LINKTYPE, type PcapFile, readPcap } from "./pcap.ts";
import {
  handshakeOptions,
  payloadPreview,
  segmentDiagram,
  segmentTable,
  tcpSegments,
} from "./segments.ts";
import { loopbackFrame } from "./test_frames.ts";
import { mimeBundle } from "../viz/display.ts";
import { seqAdd } from "./seq.ts";

function pcapOf(frames: Uint8Array[]): PcapFile {
  return {
    linkType: LINKTYPE.ETHERNET,
    snapLength: 65535,
    packets: frames.map((data, i) => ({
      time: 100 + i / 1000,
      capturedLength: data.length,
      originalLength: data.length,
      data,
    })),
  };
}

// A handshake and one line each way, with initial sequence numbers just below the wrap.
const C = 0xfffffffe; // client ISN
const S = 0xfffffff0; // server ISN
const handshake = pcapOf([
  loopbackFrame({ sourcePort: 40000, destinationPort: 25, seq: C, flags: { syn: true } }),
  loopbackFrame({
    sourcePort: 25,
    destinationPort: 40000,
    seq: S,
    ack: seqAdd(C, 1),
    flags: { syn: true, ack: true },
  }),
  loopbackFrame({
    sourcePort: 40000,
    destinationPort: 25,
    seq: seqAdd(C, 1),
    ack: seqAdd(S, 1),
    flags: { ack: true },
  }),
  loopbackFrame(
    {
      sourcePort: 25,
      destinationPort: 40000,
      seq: seqAdd(S, 1),
      ack: seqAdd(C, 1),
      flags: { ack: true, psh: true },
    },
    "220 hi\r\n",
  ),
  loopbackFrame(
    {
      sourcePort: 40000,
      destinationPort: 25,
      seq: seqAdd(C, 1),
      ack: seqAdd(S, 9),
      flags: { ack: true, psh: true },
    },
    "QUIT\r\n",
  ),
]);

Deno.test("tcpSegments() counts seq and ack from each side's SYN, across the 2^32 wrap", () => {
  const segments = tcpSegments(handshake);
  assert.deepEqual(
    segments.map((s) => [s.from, s.relativeSeq, s.relativeAck, s.payloadLength]),
    [
      ["127.0.0.1:40000", 0, 0, 0],
      ["127.0.0.1:25", 0, 1, 0],
      ["127.0.0.1:40000", 1, 1, 0],
      ["127.0.0.1:25", 1, 1, 8],
      ["127.0.0.1:40000", 1, 9, 6],
    ],
  );
  assert.equal(segments[3].seq, seqAdd(S, 1));
  assert.equal(new TextDecoder().decode(segments[4].payload), "QUIT\r\n");
  assert.equal(segments[1].flags.syn && segments[1].flags.ack, true);
  assert.equal(segments[0].to, "127.0.0.1:25");
});

Deno.test("tcpSegments() starts from the first seen number when the capture misses the SYN", () => {
  const segments = tcpSegments({ ...handshake, packets: handshake.packets.slice(3) });
  assert.deepEqual(segments.map((s) => [s.relativeSeq, s.relativeAck]), [[0, 0], [0, 8]]);
});

Deno.test("tcpSegments() says which packet it could not read", () => {
  const bad = loopbackFrame({ sourcePort: 1, destinationPort: 2 });
  bad[14] = 0x41;
  assert.throws(
    () => tcpSegments(pcapOf([handshake.packets[0].data, bad])),
    /^PacketError: Packet 2: Cannot read IPv4: IHL/,
  );
});

Deno.test("in the shipped SMTP capture every ack is the peer's seq plus its length (+1 for SYN and FIN)", async () => {
  const pcap = readPcap(
    await Deno.readFile(new URL("../../fixtures/captures/smtp-session.pcap", import.meta.url)),
  );
  const segments = tcpSegments(pcap);
  assert.ok(segments[0].flags.syn && !segments[0].flags.ack);
  const next = new Map<string, number>(); // sender -> next relative seq it will use
  for (const s of segments) {
    if (s.flags.ack && next.has(s.to)) assert.ok(s.relativeAck <= next.get(s.to)!);
    next.set(
      s.from,
      s.relativeSeq + s.payloadLength + (s.flags.syn ? 1 : 0) + (s.flags.fin ? 1 : 0),
    );
  }
  const last = segments.at(-1)!;
  assert.equal(last.relativeAck, next.get(last.to));
  assert.ok(segments.some((s) => new TextDecoder().decode(s.payload).startsWith("220 ")));
});

Deno.test("segmentDiagram() draws one arrow per segment with flags, seq, ack and length", () => {
  const d = segmentDiagram(tcpSegments(handshake), { names: { "127.0.0.1:25": "server" } });
  assert.match(
    d.source,
    /^sequenceDiagram\n {2}participant p0 as 127\.0\.0\.1:40000\n {2}participant p1 as server 127\.0\.0\.1:25/,
  );
  assert.match(d.source, /p0->>p1: \[S\] seq=0 len=0/);
  assert.match(d.source, /p1->>p0: \[S\.\] seq=0 ack=1 len=0/);
  assert.match(d.source, /p1->>p0: \[P\.\] seq=1 ack=1 len=8 #34;220 hi\\r\\n#34;/);
  assert.equal(d.plain.split("\n").length, 5);
  const raw = segmentDiagram(tcpSegments(handshake), { relative: false, maxSegments: 2 });
  assert.match(raw.source, new RegExp(`seq=${C} len=0`));
  assert.match(raw.source, /3 more segments not shown/);
});

Deno.test("segmentTable() and payloadPreview() show text safely", () => {
  const text = mimeBundle(segmentTable(tcpSegments(handshake)))["text/plain"] as string;
  assert.match(text, /SYN, ACK/);
  assert.equal(payloadPreview(new TextEncoder().encode("a\r\n\x00b"), 40), "a\\r\\n.b");
  assert.equal(payloadPreview(new TextEncoder().encode("abcdef"), 4), "abc…");
});

Deno.test("handshakeOptions() reads each side's SYN: MSS, window scale, timestamps, SACK", async () => {
  const segments = tcpSegments(
    readPcap(
      await Deno.readFile(new URL("../../fixtures/captures/smtp-session.pcap", import.meta.url)),
    ),
  );
  const announced = handshakeOptions(segments);
  assert.deepEqual(Object.keys(announced).sort(), [segments[0].from, segments[0].to].sort());
  for (const side of Object.values(announced)) {
    assert.equal(typeof side.mss, "number");
    assert.equal(typeof side.windowShift, "number");
    assert.equal(side.timestamps, true);
  }
});
