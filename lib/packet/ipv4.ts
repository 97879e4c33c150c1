/**
 * IPv4 headers (RFC 791 3.1).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 * ```
 *
 * IHL counts 32-bit words: 5 (20 bytes) without options, up to 15 (60 bytes). DSCP and
 * ECN (RFC 2474, RFC 3168) replaced the old "type of service" byte.
 *
 * @module
 */

import { internetChecksum } from "./checksum.ts";
import { need, PacketError } from "./errors.ts";

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IP_PROTOCOL = {
  /** RFC 792 */
  ICMP: 1,
  /** RFC 9293 */
  TCP: 6,
  /** RFC 768 */
  UDP: 17,
} as const;

/** Whether a received checksum matches the bytes. */
export type ChecksumStatus =
  /** The field equals the checksum computed over the bytes. */
  | "correct"
  /** The field differs: corrupted, or (TCP on loopback) never filled in. */
  | "incorrect"
  /** TCP only: the field holds just the pseudo-header sum, left for checksum offload. */
  | "partial"
  /** Not all bytes were captured, so the checksum cannot be checked. */
  | "unverifiable";

/** A parsed IPv4 header. */
export interface Ipv4Header {
  version: number;
  /** Internet Header Length, in 32-bit words (5..15). */
  ihl: number;
  /** IHL * 4: where the payload starts. */
  headerLength: number;
  /** Differentiated Services Code Point (RFC 2474), upper 6 bits of byte 1. */
  dscp: number;
  /** Explicit Congestion Notification (RFC 3168), lower 2 bits of byte 1. */
  ecn: number;
  /** Header plus payload, in bytes. */
  totalLength: number;
  /** Identifies the fragments of one datagram. */
  identification: number;
  /** Bit 0 is reserved (must be zero), DF = don't fragment, MF = more fragments. */
  flags: { reserved: boolean; dontFragment: boolean; moreFragments: boolean };
  /** Where this fragment belongs, in 8-byte units. */
  fragmentOffset: number;
  ttl: number;
  /** See {@linkcode IP_PROTOCOL}. */
  protocol: number;
  /** The checksum field as received. */
  checksum: number;
  /** The checksum computed over the header (with the field taken as zero). */
  computedChecksum: number;
  checksumStatus: ChecksumStatus;
  /** Dotted quad. */
  source: string;
  destination: string;
  /** Option bytes (IHL > 5), kept raw. */
  options: Uint8Array;
}

/** Fields for {@linkcode buildIpv4}; everything but the addresses has a default. */
export interface Ipv4Fields {
  source: string;
  destination: string;
  /** Default 6 (TCP). */
  protocol?: number;
  /** Default 64, Linux's default TTL. */
  ttl?: number;
  identification?: number;
  /** Default: DF set, as Linux sets it for TCP. */
  flags?: Partial<Ipv4Header["flags"]>;
  fragmentOffset?: number;
  dscp?: number;
  ecn?: number;
  /** Option bytes; padded with zeros (End of Option List) to a multiple of 4. */
  options?: Uint8Array;
  /** Default: header length + payload length. */
  totalLength?: number;
  /** Default: computed. Give a value to build a corrupt header on purpose. */
  checksum?: number;
  /** Default 4. */
  version?: number;
  /** Default: from the options' length. */
  ihl?: number;
}

/** Dotted quad to 4 bytes. */
export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new TypeError(
      `Cannot build IPv4 header: ${JSON.stringify(address)} is not an IPv4 address`,
    );
  }
  return new Uint8Array(parts.map(Number));
}

/** 4 bytes to a dotted quad. */
export function ipv4Text(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].join(".");
}

/**
 * The header checksum (RFC 791 3.1): the complement of the one's-complement sum of the
 * header's 16-bit words, computed as if the checksum field (bytes 10 and 11) were zero.
 *
 * @example The header of a classic example datagram: checksum 0xb861
 * ```ts
 * import { ipv4Checksum } from "./ipv4.ts";
 * const header = new Uint8Array([0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
 *   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
 * if (ipv4Checksum(header) !== 0xb861) throw new Error("unexpected");
 * ```
 */
export function ipv4Checksum(header: Uint8Array): number {
  const copy = header.slice();
  copy[10] = 0;
  copy[11] = 0;
  return internetChecksum(copy);
}

/**
 * Read the IPv4 header that starts at `at` in `data` (a whole frame, so that error
 * offsets count from the frame's first byte). A wrong checksum is reported in
 * `checksumStatus`, not thrown: the learner should see the corrupt header.
 *
 * @throws {PacketError} the bytes are not an IPv4 header (version, IHL, total length) or
 *   are truncated.
 *
 * @example
 * ```ts
 * import { buildIpv4, parseIpv4 } from "./ipv4.ts";
 * const bytes = buildIpv4({ source: "127.0.0.1", destination: "127.0.0.1", identification: 7 });
 * const ip = parseIpv4(bytes);
 * if (ip.identification !== 7 || ip.checksumStatus !== "correct") throw new Error("unexpected");
 * ```
 */
export function parseIpv4(data: Uint8Array, at = 0): Ipv4Header {
  need(data, at, 20, "IPv4", "header");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[at] >> 4;
  if (version !== 4) throw new PacketError("IPv4", "version", at, `is ${version}, not 4`);
  const ihl = data[at] & 0x0f;
  if (ihl < 5) {
    throw new PacketError(
      "IPv4",
      "IHL",
      at,
      `is ${ihl} (${ihl * 4} bytes), below the minimum of 5`,
    );
  }
  const headerLength = ihl * 4;
  need(data, at, headerLength, "IPv4", `header with options (IHL ${ihl})`);
  const totalLength = view.getUint16(at + 2);
  if (totalLength < headerLength) {
    throw new PacketError(
      "IPv4",
      "total length",
      at + 2,
      `${totalLength} is shorter than the header (${headerLength} bytes)`,
    );
  }
  const flagsAndOffset = view.getUint16(at + 6);
  const header = data.subarray(at, at + headerLength);
  const checksum = view.getUint16(at + 10);
  const computedChecksum = ipv4Checksum(header);
  return {
    version,
    ihl,
    headerLength,
    dscp: data[at + 1] >> 2,
    ecn: data[at + 1] & 0x03,
    totalLength,
    identification: view.getUint16(at + 4),
    flags: {
      reserved: (flagsAndOffset & 0x8000) !== 0,
      dontFragment: (flagsAndOffset & 0x4000) !== 0,
      moreFragments: (flagsAndOffset & 0x2000) !== 0,
    },
    fragmentOffset: flagsAndOffset & 0x1fff,
    ttl: data[at + 8],
    protocol: data[at + 9],
    checksum,
    computedChecksum,
    checksumStatus: checksum === computedChecksum ? "correct" : "incorrect",
    source: ipv4Text(data.subarray(at + 12, at + 16)),
    destination: ipv4Text(data.subarray(at + 16, at + 20)),
    options: data.slice(at + 20, at + headerLength),
  };
}

/**
 * Build an IPv4 header followed by `payload`, with the checksum computed.
 *
 * @example
 * ```ts
 * import { buildIpv4 } from "./ipv4.ts";
 * const packet = buildIpv4({ source: "127.0.0.1", destination: "127.0.0.1" }, new Uint8Array(4));
 * if (packet.length !== 24 || packet[0] !== 0x45) throw new Error("unexpected");
 * ```
 */
export function buildIpv4(fields: Ipv4Fields, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const options = fields.options ?? new Uint8Array(0);
  const optionWords = Math.ceil(options.length / 4);
  if (optionWords > 10) throw new RangeError("Cannot build IPv4 header: options exceed 40 bytes");
  const ihl = fields.ihl ?? 5 + optionWords;
  const headerLength = (5 + optionWords) * 4;
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  const flags = { reserved: false, dontFragment: true, moreFragments: false, ...fields.flags };
  out[0] = ((fields.version ?? 4) << 4) | (ihl & 0x0f);
  out[1] = ((fields.dscp ?? 0) << 2) | ((fields.ecn ?? 0) & 0x03);
  view.setUint16(2, fields.totalLength ?? out.length);
  view.setUint16(4, fields.identification ?? 0);
  view.setUint16(
    6,
    (flags.reserved ? 0x8000 : 0) | (flags.dontFragment ? 0x4000 : 0) |
      (flags.moreFragments ? 0x2000 : 0) | ((fields.fragmentOffset ?? 0) & 0x1fff),
  );
  out[8] = fields.ttl ?? 64;
  out[9] = fields.protocol ?? 6;
  out.set(ipv4Bytes(fields.source), 12);
  out.set(ipv4Bytes(fields.destination), 16);
  out.set(options, 20);
  const checksum = fields.checksum ?? ipv4Checksum(out.subarray(0, headerLength));
  view.setUint16(10, checksum);
  out.set(payload, headerLength);
  return out;
}
