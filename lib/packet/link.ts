/**
 * The link layer, as a capture on Linux loopback presents it.
 *
 * `tcpdump -i lo` records LINKTYPE_ETHERNET frames whose MAC addresses are all zero:
 * the loopback device has no hardware, but Linux gives it an Ethernet header so that the
 * rest of the stack treats it like any other interface. `tcpdump -i any` records Linux
 * "cooked" (SLL) headers instead, and BSD/macOS loopback records LINKTYPE_NULL: a 4-byte
 * address family in the capturing host's byte order.
 *
 * @module
 */

import { need, PacketError } from "./errors.ts";
import { LINKTYPE } from "./pcap.ts";

/** EtherType values (IEEE 802 numbers, IANA "IEEE 802 Numbers" registry). */
export const ETHER_TYPE = {
  /** RFC 894: IPv4 over Ethernet. */
  IPv4: 0x0800,
  /** RFC 826: ARP. */
  ARP: 0x0806,
  /** RFC 2464: IPv6 over Ethernet. */
  IPv6: 0x86dd,
} as const;

/** An Ethernet II header: 6-byte destination, 6-byte source, 2-byte EtherType. */
export interface EthernetHeader {
  kind: "ethernet";
  /** `"00:00:00:00:00:00"` on loopback. */
  destination: string;
  source: string;
  etherType: number;
  headerLength: 14;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL), 16 bytes. */
export interface SllHeader {
  kind: "linux-sll";
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType: number;
  /** ARPHRD_ type of the device (772 is loopback). */
  arphrdType: number;
  /** Link-layer address of the sender (up to 8 bytes shown). */
  address: string;
  /** EtherType of the payload. */
  protocol: number;
  headerLength: 16;
}

/** BSD loopback (LINKTYPE_NULL), 4 bytes. */
export interface NullHeader {
  kind: "null";
  /** Address family: 2 is AF_INET (IPv4); 24, 28 or 30 are AF_INET6 on the various BSDs. */
  family: number;
  headerLength: 4;
}

/** Any link header this module reads. */
export type LinkHeader = EthernetHeader | SllHeader | NullHeader | RawHeader;

/** LINKTYPE_RAW: no link header at all. */
export interface RawHeader {
  kind: "raw";
  headerLength: 0;
}

function mac(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function macBytes(text: string, field: string, length = 6): Uint8Array {
  const parts = text === "" ? [] : text.split(":");
  if (parts.length > length || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new TypeError(
      `Cannot build link header: ${field} ${JSON.stringify(text)} is not a MAC address`,
    );
  }
  const out = new Uint8Array(length);
  parts.forEach((p, i) => out[i] = parseInt(p, 16));
  return out;
}

/**
 * Read the link header at the start of `data`.
 *
 * @throws {PacketError} the frame is shorter than the header, or the link type is unknown.
 *
 * @example A loopback frame: zero MACs, EtherType IPv4
 * ```ts
 * import { parseLink } from "./link.ts";
 * const frame = new Uint8Array(14);
 * frame[12] = 0x08;
 * const link = parseLink(frame, 1);
 * if (link.kind !== "ethernet" || link.etherType !== 0x0800) throw new Error("unexpected");
 * ```
 */
export function parseLink(data: Uint8Array, linkType: number): LinkHeader {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      need(data, 0, 14, "Ethernet", "header");
      return {
        kind: "ethernet",
        destination: mac(data.subarray(0, 6)),
        source: mac(data.subarray(6, 12)),
        etherType: view.getUint16(12),
        headerLength: 14,
      };
    case LINKTYPE.LINUX_SLL: {
      need(data, 0, 16, "Linux SLL", "header");
      const addressLength = view.getUint16(4);
      return {
        kind: "linux-sll",
        packetType: view.getUint16(0),
        arphrdType: view.getUint16(2),
        address: mac(data.subarray(6, 6 + Math.min(addressLength, 8))),
        protocol: view.getUint16(14),
        headerLength: 16,
      };
    }
    case LINKTYPE.NULL: {
      need(data, 0, 4, "BSD loopback", "header");
      // Host byte order of the capturing machine: families are small, so a big value
      // means we guessed the order wrong.
      let family = view.getUint32(0, true);
      if (family > 0xffff) family = view.getUint32(0, false);
      return { kind: "null", family, headerLength: 4 };
    }
    case LINKTYPE.RAW:
      return { kind: "raw", headerLength: 0 };
    default:
      throw new PacketError("link layer", "link type", 0, `${linkType} is not supported`);
  }
}

/** The network protocol the link header announces: `"ipv4"`, `"ipv6"` or `"other"`. */
export function networkProtocol(link: LinkHeader, firstByte?: number): "ipv4" | "ipv6" | "other" {
  switch (link.kind) {
    case "ethernet":
    case "linux-sll": {
      const type = link.kind === "ethernet" ? link.etherType : link.protocol;
      return type === ETHER_TYPE.IPv4 ? "ipv4" : type === ETHER_TYPE.IPv6 ? "ipv6" : "other";
    }
    case "null":
      return link.family === 2 ? "ipv4" : [24, 28, 30].includes(link.family) ? "ipv6" : "other";
    case "raw":
      return firstByte === undefined ? "other" : firstByte >> 4 === 4 ? "ipv4" : "ipv6";
  }
}

/**
 * The bytes of a link header (the inverse of {@linkcode parseLink}).
 *
 * @example Build what Linux loopback puts in front of an IPv4 packet
 * ```ts
 * import { buildLink, ETHER_TYPE } from "./link.ts";
 * const bytes = buildLink({ kind: "ethernet", destination: "00:00:00:00:00:00",
 *   source: "00:00:00:00:00:00", etherType: ETHER_TYPE.IPv4, headerLength: 14 });
 * if (bytes.length !== 14 || bytes[12] !== 0x08) throw new Error("unexpected");
 * ```
 */
export function buildLink(header: LinkHeader): Uint8Array {
  switch (header.kind) {
    case "ethernet": {
      const out = new Uint8Array(14);
      out.set(macBytes(header.destination, "destination"), 0);
      out.set(macBytes(header.source, "source"), 6);
      new DataView(out.buffer).setUint16(12, header.etherType);
      return out;
    }
    case "linux-sll": {
      const out = new Uint8Array(16);
      const view = new DataView(out.buffer);
      const address = header.address === "" ? [] : header.address.split(":");
      view.setUint16(0, header.packetType);
      view.setUint16(2, header.arphrdType);
      view.setUint16(4, address.length);
      out.set(macBytes(header.address, "address", 8), 6);
      view.setUint16(14, header.protocol);
      return out;
    }
    case "null": {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, header.family, true);
      return out;
    }
    case "raw":
      return new Uint8Array(0);
  }
}

/** The Ethernet header `tcpdump -i lo` shows in front of every IPv4 packet. */
export const LOOPBACK_ETHERNET: EthernetHeader = {
  kind: "ethernet",
  destination: "00:00:00:00:00:00",
  source: "00:00:00:00:00:00",
  etherType: ETHER_TYPE.IPv4,
  headerLength: 14,
};
