import assert from "node:assert/strict";
import { buildIpv4, ipv4Checksum, parseIpv4 } from "./ipv4.ts";

// A classic example datagram header (UDP, 192.168.0.1 -> 192.168.0.199), checksum 0xb861.
const KNOWN = new Uint8Array([
  0x45,
  0x00,
  0x00,
  0x73,
  0x00,
  0x00,
  0x40,
  0x00,
  0x40,
  0x11,
  0xb8,
  0x61,
  0xc0,
  0xa8,
  0x00,
  0x01,
  0xc0,
  0xa8,
  0x00,
  0xc7,
]);

Deno.test("ipv4Checksum() gives the known answer and ignores the stored field", () => {
  assert.equal(ipv4Checksum(KNOWN), 0xb861);
  const zeroed = KNOWN.slice();
  zeroed[10] = zeroed[11] = 0;
  assert.equal(ipv4Checksum(zeroed), 0xb861);
});

Deno.test("parseIpv4() reads every field of the known header", () => {
  const ip = parseIpv4(new Uint8Array([...KNOWN, ...new Uint8Array(0x73 - 20)]));
  assert.equal(ip.version, 4);
  assert.equal(ip.ihl, 5);
  assert.equal(ip.headerLength, 20);
  assert.equal(ip.totalLength, 0x73);
  assert.equal(ip.flags.dontFragment, true);
  assert.equal(ip.flags.moreFragments, false);
  assert.equal(ip.ttl, 64);
  assert.equal(ip.protocol, 17);
  assert.equal(ip.source, "192.168.0.1");
  assert.equal(ip.destination, "192.168.0.199");
  assert.equal(ip.checksumStatus, "correct");
});

Deno.test("buildIpv4() then parseIpv4() round-trips, options included", () => {
  const payload = new Uint8Array([1, 2, 3]);
  const bytes = buildIpv4({
    source: "10.0.0.1",
    destination: "127.0.0.1",
    identification: 0xbeef,
    ttl: 3,
    dscp: 46,
    ecn: 1,
    flags: { dontFragment: false, moreFragments: true },
    fragmentOffset: 100,
    options: new Uint8Array([1, 1, 1, 0]), // NOP NOP NOP EOL
  }, payload);
  const ip = parseIpv4(bytes);
  assert.equal(ip.ihl, 6);
  assert.equal(ip.totalLength, 27);
  assert.equal(ip.identification, 0xbeef);
  assert.equal(ip.dscp, 46);
  assert.equal(ip.ecn, 1);
  assert.deepEqual(ip.flags, { reserved: false, dontFragment: false, moreFragments: true });
  assert.equal(ip.fragmentOffset, 100);
  assert.deepEqual([...ip.options], [1, 1, 1, 0]);
  assert.equal(ip.checksumStatus, "correct");
  assert.deepEqual(buildIpv4({ ...ip, options: ip.options, checksum: undefined }, payload), bytes);
});

Deno.test("parseIpv4() reports a corrupt checksum instead of throwing", () => {
  const bytes = buildIpv4({ source: "127.0.0.1", destination: "127.0.0.1" });
  bytes[8] = 1; // TTL changed in flight, checksum not updated
  const ip = parseIpv4(bytes);
  assert.equal(ip.checksumStatus, "incorrect");
  assert.notEqual(ip.checksum, ip.computedChecksum);
});

Deno.test("parseIpv4() refuses bad headers, naming field and offset", async (t) => {
  const good = buildIpv4({ source: "127.0.0.1", destination: "127.0.0.1" });
  const frame = new Uint8Array([...new Uint8Array(14), ...good]);
  await t.step("IHL below 5", () => {
    const bad = frame.slice();
    bad[14] = 0x44;
    assert.throws(
      () => parseIpv4(bad, 14),
      /Cannot read IPv4: IHL is 4 \(16 bytes\), below the minimum of 5 at offset 14/,
    );
  });
  await t.step("IHL past the captured bytes", () => {
    const bad = frame.slice();
    bad[14] = 0x4f;
    assert.throws(
      () => parseIpv4(bad, 14),
      /header with options \(IHL 15\) truncated \(needs 60 bytes, 20 left\) at offset 14/,
    );
  });
  await t.step("truncated", () => {
    assert.throws(
      () => parseIpv4(frame.subarray(0, 30), 14),
      /IPv4: header truncated .* at offset 14/,
    );
  });
  await t.step("version 6", () => {
    const bad = frame.slice();
    bad[14] = 0x65;
    assert.throws(() => parseIpv4(bad, 14), /version is 6, not 4 at offset 14/);
  });
  await t.step("total length below the header", () => {
    const bad = frame.slice();
    bad[16] = 0;
    bad[17] = 10;
    assert.throws(
      () => parseIpv4(bad, 14),
      /total length 10 is shorter than the header \(20 bytes\) at offset 16/,
    );
  });
});

Deno.test("buildIpv4() refuses a malformed address", () => {
  assert.throws(
    () => buildIpv4({ source: "127.0.0.256", destination: "127.0.0.1" }),
    /not an IPv4 address/,
  );
});
