import assert from "node:assert/strict";
import {
  buildTcp,
  flagNames,
  flagsByte,
  flagsFromByte,
  formatFlags,
  parseTcp,
  pseudoHeaderSum,
  tcpChecksum,
  type TcpOption,
} from "./tcp.ts";

const addresses = { source: "127.0.0.1", destination: "127.0.0.1" };

// The first SYN of a real loopback capture (tcpdump -x), TCP part only:
// tcpdump said "cksum 0xfe30 (incorrect -> 0xbeef)".
const SYN = new Uint8Array([
  0x8d,
  0xb2,
  0x00,
  0x09,
  0x42,
  0x7c,
  0x2a,
  0xec,
  0x00,
  0x00,
  0x00,
  0x00,
  0xa0,
  0x02,
  0xff,
  0xd7,
  0xfe,
  0x30,
  0x00,
  0x00,
  0x02,
  0x04,
  0xff,
  0xd7,
  0x04,
  0x02,
  0x08,
  0x0a,
  0x12,
  0x61,
  0x83,
  0x8a,
  0x00,
  0x00,
  0x00,
  0x00,
  0x01,
  0x03,
  0x03,
  0x0a,
]);

Deno.test("parseTcp() reads a real SYN like tcpdump does", () => {
  const tcp = parseTcp(SYN, addresses);
  assert.equal(tcp.sourcePort, 36274);
  assert.equal(tcp.destinationPort, 9);
  assert.equal(tcp.seq, 1115433708);
  assert.equal(tcp.window, 65495);
  assert.equal(formatFlags(tcp.flags), "S");
  assert.deepEqual(tcp.options, [
    { kind: "mss", value: 65495 },
    { kind: "sackPermitted" },
    { kind: "timestamps", value: 308380554, echo: 0 },
    { kind: "nop" },
    { kind: "wscale", shift: 10 },
  ]);
  assert.equal(tcp.computedChecksum, 0xbeef);
  assert.equal(tcp.checksumStatus, "partial"); // only the pseudo-header sum: offload
  assert.equal(pseudoHeaderSum("127.0.0.1", "127.0.0.1", SYN.length), 0xfe30);
});

Deno.test("buildTcp() then parseTcp() round-trips every option kind", () => {
  const options: TcpOption[] = [
    { kind: "mss", value: 1460 },
    { kind: "nop" },
    { kind: "wscale", shift: 7 },
    { kind: "sackPermitted" },
    { kind: "timestamps", value: 1, echo: 0xffffffff },
    { kind: "sack", blocks: [{ left: 10, right: 20 }] },
    { kind: "unknown", type: 254, data: new Uint8Array([0xf9, 0x89]) },
    { kind: "eol" },
  ];
  const payload = new TextEncoder().encode("EHLO me\r\n");
  const fields = {
    sourcePort: 40000,
    destinationPort: 25,
    seq: 0xfffffff0,
    ack: 7,
    flags: { ack: true, psh: true, cwr: true, ece: true, urg: true },
    window: 512,
    urgentPointer: 3,
    options,
  };
  const bytes = buildTcp(fields, payload, addresses);
  const tcp = parseTcp(bytes, addresses);
  assert.equal(tcp.checksumStatus, "correct");
  assert.deepEqual(tcp.options, options);
  assert.equal(tcp.headerLength, 20 + 4 + 4 + 2 + 10 + 10 + 4 + 1 + 1); // 56, padded
  assert.deepEqual(
    { ...tcp.flags },
    { cwr: true, ece: true, urg: true, ack: true, psh: true, rst: false, syn: false, fin: false },
  );
  for (
    const key of ["sourcePort", "destinationPort", "seq", "ack", "window", "urgentPointer"] as const
  ) {
    assert.equal(tcp[key], fields[key]);
  }
  assert.deepEqual(bytes.subarray(tcp.headerLength), payload);
});

Deno.test("tcpChecksum() changes with the pseudo-header: wrong address, wrong checksum", () => {
  const bytes = buildTcp({ sourcePort: 1, destinationPort: 2 }, new Uint8Array([1]), addresses);
  assert.equal(parseTcp(bytes, addresses).checksumStatus, "correct");
  assert.equal(
    parseTcp(bytes, { source: "127.0.0.2", destination: "127.0.0.1" }).checksumStatus,
    "incorrect",
  );
  assert.notEqual(
    tcpChecksum(bytes, "127.0.0.2", "127.0.0.1"),
    tcpChecksum(bytes, "127.0.0.1", "127.0.0.1"),
  );
});

Deno.test("parseTcp() reports a corrupt payload byte as an incorrect checksum", () => {
  const bytes = buildTcp(
    { sourcePort: 1, destinationPort: 2 },
    new Uint8Array([1, 2, 3]),
    addresses,
  );
  bytes[21] ^= 0xff;
  const tcp = parseTcp(bytes, addresses);
  assert.equal(tcp.checksumStatus, "incorrect");
  assert.equal(tcp.checksum, (bytes[16] << 8) | bytes[17]);
});

Deno.test("parseTcp() refuses bad headers, naming field and offset", async (t) => {
  const good = buildTcp({
    sourcePort: 1,
    destinationPort: 2,
    options: [{ kind: "mss", value: 1 }],
  });
  await t.step("data offset below 5", () => {
    const bad = good.slice();
    bad[12] = 0x40;
    assert.throws(
      () => parseTcp(bad),
      /Cannot read TCP: data offset is 4 \(16 bytes\), below the minimum of 5 at offset 12/,
    );
  });
  await t.step("data offset past the segment", () => {
    const bad = good.slice();
    bad[12] = 0xf0;
    assert.throws(
      () => parseTcp(bad),
      /header with options \(data offset 15\) truncated \(needs 60 bytes, 24 left\) at offset 0/,
    );
  });
  await t.step("truncated", () => {
    assert.throws(
      () => parseTcp(new Uint8Array(30), { at: 14 }),
      /TCP: header truncated \(needs 20 bytes, 16 left\) at offset 14/,
    );
  });
  await t.step("option running past the header", () => {
    const bad = good.slice();
    bad[21] = 9;
    assert.throws(
      () => parseTcp(bad),
      /option kind 2 length 9 runs past the header end \(byte 24\) at offset 21/,
    );
  });
  await t.step("option length below 2", () => {
    const bad = good.slice();
    bad[21] = 1;
    assert.throws(() => parseTcp(bad), /option kind 2 length is 1, below 2/);
  });
  await t.step("wrong MSS length", () => {
    const bad = buildTcp({
      sourcePort: 1,
      destinationPort: 2,
      options: [{ kind: "unknown", type: 2, data: new Uint8Array(1) }],
    });
    assert.throws(() => parseTcp(bad), /option kind 2 length is 3, not 4/);
  });
});

Deno.test("flags convert both ways and print like tcpdump and Wireshark", () => {
  for (let byte = 0; byte < 256; byte++) assert.equal(flagsByte(flagsFromByte(byte)), byte);
  assert.equal(formatFlags({ fin: true, psh: true, ack: true }), "FP.");
  assert.equal(formatFlags({}), "none");
  assert.equal(flagNames({ syn: true, ack: true }), "SYN, ACK");
});
