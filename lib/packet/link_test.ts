import assert from "node:assert/strict";
import {
  buildLink,
  ETHER_TYPE,
  type LinkHeader,
  LOOPBACK_ETHERNET,
  networkProtocol,
  parseLink,
} from "./link.ts";
import { LINKTYPE } from "./pcap.ts";

Deno.test("parseLink() reads the all-zero Ethernet header of Linux loopback", () => {
  const bytes = buildLink(LOOPBACK_ETHERNET);
  assert.deepEqual([...bytes], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]);
  assert.deepEqual(parseLink(bytes, LINKTYPE.ETHERNET), LOOPBACK_ETHERNET);
  assert.equal(networkProtocol(LOOPBACK_ETHERNET), "ipv4");
});

Deno.test("buildLink() then parseLink() round-trips every link type", () => {
  const headers: [number, LinkHeader][] = [
    [LINKTYPE.ETHERNET, {
      kind: "ethernet",
      destination: "02:00:00:00:00:01",
      source: "aa:bb:cc:dd:ee:ff",
      etherType: ETHER_TYPE.IPv6,
      headerLength: 14,
    }],
    [LINKTYPE.LINUX_SLL, {
      kind: "linux-sll",
      packetType: 4,
      arphrdType: 772,
      address: "00:00:00:00:00:00",
      protocol: ETHER_TYPE.IPv4,
      headerLength: 16,
    }],
    [LINKTYPE.NULL, { kind: "null", family: 2, headerLength: 4 }],
    [LINKTYPE.RAW, { kind: "raw", headerLength: 0 }],
  ];
  for (const [type, header] of headers) {
    assert.deepEqual(parseLink(buildLink(header), type), header);
  }
});

Deno.test("parseLink() reads a BSD loopback family in either byte order", () => {
  assert.equal(
    (parseLink(new Uint8Array([2, 0, 0, 0]), LINKTYPE.NULL) as { family: number }).family,
    2,
  );
  const big = parseLink(new Uint8Array([0, 0, 0, 30]), LINKTYPE.NULL);
  assert.equal(networkProtocol(big), "ipv6");
});

Deno.test("parseLink() names the layer of a truncated header and refuses unknown link types", () => {
  assert.throws(
    () => parseLink(new Uint8Array(10), LINKTYPE.ETHERNET),
    /^PacketError: Cannot read Ethernet: header truncated \(needs 14 bytes, 10 left\) at offset 0$/,
  );
  assert.throws(() => parseLink(new Uint8Array(20), 105), /link type 105 is not supported/);
});

Deno.test("buildLink() refuses a malformed MAC address", () => {
  assert.throws(
    () => buildLink({ ...LOOPBACK_ETHERNET, source: "zz:00" }),
    /source "zz:00" is not a MAC address/,
  );
});
