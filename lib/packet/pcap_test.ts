import assert from "node:assert/strict";
import { LINKTYPE, type PcapFile, readPcap, writePcap } from "./pcap.ts";
import { PacketError } from "./errors.ts";

const sample: PcapFile = {
  linkType: LINKTYPE.ETHERNET,
  snapLength: 262144,
  packets: [
    {
      time: 1700000000.123456,
      capturedLength: 3,
      originalLength: 3,
      data: new Uint8Array([1, 2, 3]),
    },
    { time: 1700000001.5, capturedLength: 2, originalLength: 60, data: new Uint8Array([4, 5]) },
  ],
};

Deno.test("writePcap() then readPcap() gives the same file, in both byte orders", () => {
  for (const byteOrder of ["little", "big"] as const) {
    const file = readPcap(writePcap({ ...sample, byteOrder }));
    assert.equal(file.byteOrder, byteOrder);
    assert.equal(file.precision, "micro");
    assert.equal(file.linkType, 1);
    assert.equal(file.snapLength, 262144);
    assert.deepEqual(file.packets, sample.packets);
  }
});

Deno.test("readPcap() reads nanosecond files", () => {
  const file = readPcap(writePcap({ ...sample, precision: "nano", byteOrder: "big" }));
  assert.equal(file.precision, "nano");
  assert.ok(Math.abs(file.packets[0].time - 1700000000.123456) < 1e-6);
});

Deno.test("readPcap() reads the magic numbers byte by byte as tcpdump writes them", () => {
  const bytes = writePcap(sample);
  assert.deepEqual([...bytes.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]); // little-endian micro
  const nano = writePcap({ ...sample, precision: "nano", byteOrder: "big" });
  assert.deepEqual([...nano.subarray(0, 4)], [0xa1, 0xb2, 0x3c, 0x4d]);
});

Deno.test("readPcap() names the packet, field and offset of a truncated header", () => {
  const bytes = writePcap(sample);
  const cut = bytes.subarray(0, 24 + 16 + 3 + 5); // packet 2's header cut after 5 bytes
  assert.throws(() => readPcap(cut), (error: Error) => {
    assert.ok(error instanceof PacketError);
    assert.equal(error.offset, 43);
    assert.match(error.message, /^Cannot read pcap: packet 2 header truncated .* at offset 43$/);
    return true;
  });
});

Deno.test("readPcap() rejects truncated data, bad magic, pcapng and impossible lengths", async (t) => {
  const bytes = writePcap(sample);
  await t.step("truncated data", () => {
    assert.throws(() => readPcap(bytes.subarray(0, bytes.length - 1)), /packet 2 data truncated/);
  });
  await t.step("short global header", () => {
    assert.throws(() => readPcap(bytes.subarray(0, 10)), /global header truncated .* at offset 0/);
  });
  await t.step("bad magic", () => {
    assert.throws(
      () => readPcap(new Uint8Array(24)),
      /magic number 0x00000000 is not a pcap magic/,
    );
  });
  await t.step("pcapng", () => {
    const ng = new Uint8Array(28);
    ng.set([0x0a, 0x0d, 0x0d, 0x0a]);
    assert.throws(() => readPcap(ng), /pcapng/);
  });
  await t.step("captured length above original length", () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(24 + 12, 1, true); // original length 1 < 3
    assert.throws(
      () => readPcap(bad),
      /packet 1 captured length 3 exceeds the original length 1 at offset 32/,
    );
  });
  await t.step("version", () => {
    const bad = bytes.slice();
    bad[4] = 3;
    assert.throws(() => readPcap(bad), /version 3.4 is not 2.x at offset 4/);
  });
});

Deno.test("writePcap() carries a rounded-up fraction into the next second", () => {
  const file = readPcap(writePcap({
    ...sample,
    packets: [{ ...sample.packets[0], time: 5.9999999 }],
  }));
  assert.equal(file.packets[0].time, 6);
});

Deno.test("readPcap() reads the shipped captures", async () => {
  for (const name of ["smtp-session", "tcp-lifecycle"]) {
    const bytes = await Deno.readFile(
      new URL(`../../fixtures/captures/${name}.pcap`, import.meta.url),
    );
    const file = readPcap(bytes);
    assert.equal(file.linkType, LINKTYPE.ETHERNET);
    assert.ok(file.packets.length > 10);
    assert.ok(bytes.length < 20_000);
  }
});
