import assert from "node:assert/strict";
import { dissectFrame } from "./dissect.ts";
import { buildIpv4 } from "./ipv4.ts";
import { buildLink, ETHER_TYPE, LOOPBACK_ETHERNET } from "./link.ts";
import { LINKTYPE, readPcap } from "./pcap.ts";
import { loopbackFrame } from "./test_frames.ts";

Deno.test("dissectFrame() takes a loopback frame apart layer by layer", () => {
  const frame = loopbackFrame(
    {
      sourcePort: 2525,
      destinationPort: 40000,
      seq: 1,
      ack: 2,
      flags: { psh: true, ack: true },
      options: [{ kind: "nop" }, { kind: "nop" }, { kind: "timestamps", value: 1, echo: 2 }],
    },
    "220 ready\r\n",
    { identification: 42 },
  );
  const f = dissectFrame(frame, LINKTYPE.ETHERNET);
  assert.equal(f.link.kind, "ethernet");
  assert.equal(f.ip?.identification, 42);
  assert.equal(f.ip?.checksumStatus, "correct");
  assert.equal(f.tcp?.sourcePort, 2525);
  assert.equal(f.tcp?.headerLength, 32);
  assert.equal(f.tcp?.checksumStatus, "correct");
  assert.equal(new TextDecoder().decode(f.payload), "220 ready\r\n");
  assert.equal(f.truncated, false);
  assert.deepEqual(f.layers.map(({ name, start, end }) => [name, start, end]), [
    ["link", 0, 14],
    ["ipv4", 14, 34],
    ["tcp", 34, 66],
    ["payload", 66, 77],
  ]);
});

Deno.test("dissectFrame() keeps Ethernet padding out of the payload", () => {
  const frame = new Uint8Array([
    ...loopbackFrame({ sourcePort: 1, destinationPort: 2 }),
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const f = dissectFrame(frame, LINKTYPE.ETHERNET);
  assert.equal(f.payload.length, 0);
  assert.deepEqual(f.layers.at(-1), { name: "trailer", label: "link padding", start: 54, end: 60 });
});

Deno.test("dissectFrame() stops at non-IPv4 and non-TCP layers", () => {
  const arp = new Uint8Array([
    ...buildLink({ ...LOOPBACK_ETHERNET, etherType: ETHER_TYPE.ARP }),
    1,
    2,
    3,
  ]);
  const a = dissectFrame(arp, LINKTYPE.ETHERNET);
  assert.equal(a.ip, null);
  assert.deepEqual([...a.payload], [1, 2, 3]);
  const udp = new Uint8Array([
    ...buildLink(LOOPBACK_ETHERNET),
    ...buildIpv4(
      { source: "127.0.0.1", destination: "127.0.0.1", protocol: 17 },
      new Uint8Array(8),
    ),
  ]);
  const u = dissectFrame(udp, LINKTYPE.ETHERNET);
  assert.equal(u.ip?.protocol, 17);
  assert.equal(u.tcp, null);
  assert.equal(u.payload.length, 8);
});

Deno.test("dissectFrame() marks a frame cut by the snapshot length as truncated", () => {
  const frame = loopbackFrame({ sourcePort: 1, destinationPort: 2 }, "a long enough payload");
  const f = dissectFrame(frame.subarray(0, 60), LINKTYPE.ETHERNET);
  assert.equal(f.truncated, true);
  assert.equal(f.tcp?.checksumStatus, "unverifiable");
  assert.equal(f.payload.length, 6);
});

Deno.test("dissectFrame() names layer, field and offset of bad bytes", async (t) => {
  const frame = loopbackFrame({ sourcePort: 1, destinationPort: 2 }, "x");
  await t.step("IHL below 5", () => {
    const bad = frame.slice();
    bad[14] = 0x43;
    assert.throws(() => dissectFrame(bad, 1), /Cannot read IPv4: IHL is 3 .* at offset 14/);
  });
  await t.step("TCP data offset below 5", () => {
    const bad = frame.slice();
    bad[34 + 12] = 0x20;
    assert.throws(() => dissectFrame(bad, 1), /Cannot read TCP: data offset is 2 .* at offset 46/);
  });
  await t.step("truncated TCP header", () => {
    assert.throws(
      () => dissectFrame(frame.subarray(0, 40), 1),
      /Cannot read TCP: header was cut off by the capture's snapshot length at offset 34/,
    );
  });
  await t.step("truncated Ethernet header", () => {
    assert.throws(
      () => dissectFrame(frame.subarray(0, 5), 1),
      /Cannot read Ethernet: header truncated/,
    );
  });
});

Deno.test("dissectFrame() reports corrupt checksums and still returns the frame", () => {
  const frame = loopbackFrame({ sourcePort: 1, destinationPort: 2 }, "data");
  frame[14 + 8] = 1; // TTL
  frame.at(-1) === 0x61 || assert.fail();
  frame[frame.length - 1] = 0x62; // one payload byte
  const f = dissectFrame(frame, 1);
  assert.equal(f.ip?.checksumStatus, "incorrect");
  assert.equal(f.tcp?.checksumStatus, "incorrect");
  assert.equal(new TextDecoder().decode(f.payload), "datb");
});

Deno.test("dissectFrame() reads every frame of the shipped captures", async () => {
  for (const name of ["smtp-session", "tcp-lifecycle"]) {
    const pcap = readPcap(
      await Deno.readFile(new URL(`../../fixtures/captures/${name}.pcap`, import.meta.url)),
    );
    for (const packet of pcap.packets) {
      const f = dissectFrame(packet.data, pcap.linkType);
      assert.equal(f.link.kind === "ethernet" && f.link.source, "00:00:00:00:00:00");
      assert.equal(f.ip?.checksumStatus, "correct");
      assert.ok(f.tcp);
      assert.ok(["correct", "partial"].includes(f.tcp.checksumStatus!));
    }
  }
});
