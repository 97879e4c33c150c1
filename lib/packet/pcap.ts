/**
 * Classic libpcap capture files, the format `tcpdump -w` writes.
 *
 * A 24-byte global header (magic number, version 2.4, snapshot length, link type), then
 * for each packet a 16-byte record header (seconds, micro- or nanoseconds, captured
 * length, original length) and the captured bytes. The magic number also tells the byte
 * order of the machine that wrote the file and the timestamp precision. Reference: the
 * IETF draft draft-ietf-opsawg-pcap ("PCAP Capture File Format") and pcap-savefile(5).
 * pcapng (the newer block format, Wireshark's default) is a different format: not read here.
 *
 * @module
 */

import { PacketError } from "./errors.ts";

/**
 * Link types: what the first bytes of every packet are. Numbers from tcpdump.org's
 * LINKTYPE list (pcap-linktype(7)).
 */
export const LINKTYPE = {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  /** Ethernet II (IEEE 802.3): 14 bytes, two MAC addresses and an EtherType. Linux `lo` uses it with zero MACs. */
  ETHERNET: 1,
  /** Raw IP: the packet starts with the IP header. */
  RAW: 101,
  /** Linux "cooked" capture v1 (`tcpdump -i any`): a 16-byte pseudo-header. */
  LINUX_SLL: 113,
} as const;

/** A link type number this module names. */
export type LinkType = typeof LINKTYPE[keyof typeof LINKTYPE];

/** One captured packet. */
export interface PcapPacket {
  /** When it was captured, in seconds since 1970 (a float: micro- or nanoseconds in the fraction). */
  time: number;
  /** Bytes stored in the file (at most the snapshot length). */
  capturedLength: number;
  /** Bytes the packet had on the wire. */
  originalLength: number;
  /** The stored bytes, starting with the link-layer header. */
  data: Uint8Array;
}

/** A whole capture file. */
export interface PcapFile {
  /** See {@linkcode LINKTYPE}. */
  linkType: number;
  /** Longest packet the capture kept, in bytes. */
  snapLength: number;
  packets: PcapPacket[];
  /** Byte order the file was (or will be) written in. Default `"little"`. */
  byteOrder?: "little" | "big";
  /** Timestamp resolution of the file. Default `"micro"`. */
  precision?: "micro" | "nano";
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

function fail(field: string, offset: number, problem: string): never {
  throw new PacketError("pcap", field, offset, problem);
}

/**
 * Read a classic pcap file (either byte order, micro- or nanosecond timestamps).
 *
 * @throws {PacketError} a header or packet is truncated or holds impossible values; the
 *   message names the packet (counted from 1, as tcpdump and Wireshark do), field and offset.
 *
 * @example Round trip through writePcap
 * ```ts
 * import { readPcap, writePcap, LINKTYPE } from "./pcap.ts";
 * const bytes = writePcap({ linkType: LINKTYPE.ETHERNET, snapLength: 65535, packets: [
 *   { time: 1.5, capturedLength: 2, originalLength: 2, data: new Uint8Array([1, 2]) },
 * ] });
 * const file = readPcap(bytes);
 * if (file.packets[0].time !== 1.5 || file.packets[0].data[1] !== 2) throw new Error("unexpected");
 * ```
 */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < GLOBAL_HEADER) {
    fail("global header", 0, `truncated (needs ${GLOBAL_HEADER} bytes, ${bytes.length} left)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBig = view.getUint32(0, false);
  const magicLittle = view.getUint32(0, true);
  let littleEndian: boolean;
  let nano: boolean;
  if (magicLittle === MAGIC_MICRO || magicLittle === MAGIC_NANO) {
    littleEndian = true;
    nano = magicLittle === MAGIC_NANO;
  } else if (magicBig === MAGIC_MICRO || magicBig === MAGIC_NANO) {
    littleEndian = false;
    nano = magicBig === MAGIC_NANO;
  } else if (magicBig === MAGIC_PCAPNG) {
    fail(
      "magic number",
      0,
      "is pcapng's (save as classic pcap: `tcpdump -w` or `editcap -F pcap`)",
    );
  } else {
    fail("magic number", 0, `0x${magicBig.toString(16).padStart(8, "0")} is not a pcap magic`);
  }
  const major = view.getUint16(4, littleEndian);
  const minor = view.getUint16(6, littleEndian);
  if (major !== 2) fail("version", 4, `${major}.${minor} is not 2.x`);
  const snapLength = view.getUint32(16, littleEndian);
  // The upper bits of the link type field carry FCS information (draft-ietf-opsawg-pcap 4).
  const linkType = view.getUint32(20, littleEndian) & 0x0fffffff;

  const packets: PcapPacket[] = [];
  let at = GLOBAL_HEADER;
  while (at < bytes.length) {
    const n = packets.length + 1;
    if (bytes.length - at < RECORD_HEADER) {
      fail(`packet ${n} header`, at, `truncated (needs 16 bytes, ${bytes.length - at} left)`);
    }
    const seconds = view.getUint32(at, littleEndian);
    const fraction = view.getUint32(at + 4, littleEndian);
    const capturedLength = view.getUint32(at + 8, littleEndian);
    const originalLength = view.getUint32(at + 12, littleEndian);
    if (fraction >= (nano ? 1e9 : 1e6)) {
      fail(`packet ${n} timestamp fraction`, at + 4, `${fraction} is out of range`);
    }
    if (capturedLength > originalLength) {
      fail(
        `packet ${n} captured length`,
        at + 8,
        `${capturedLength} exceeds the original length ${originalLength}`,
      );
    }
    const dataStart = at + RECORD_HEADER;
    if (bytes.length - dataStart < capturedLength) {
      fail(
        `packet ${n} data`,
        dataStart,
        `truncated (needs ${capturedLength} bytes, ${bytes.length - dataStart} left)`,
      );
    }
    packets.push({
      time: seconds + fraction / (nano ? 1e9 : 1e6),
      capturedLength,
      originalLength,
      data: bytes.slice(dataStart, dataStart + capturedLength),
    });
    at = dataStart + capturedLength;
  }
  return {
    linkType,
    snapLength,
    packets,
    byteOrder: littleEndian ? "little" : "big",
    precision: nano ? "nano" : "micro",
  };
}

/**
 * Write a classic pcap file that tcpdump and Wireshark read.
 *
 * @example A file with no packets is just the 24-byte header
 * ```ts
 * import { writePcap, LINKTYPE } from "./pcap.ts";
 * const bytes = writePcap({ linkType: LINKTYPE.ETHERNET, snapLength: 262144, packets: [] });
 * if (bytes.length !== 24) throw new Error("unexpected");
 * ```
 */
export function writePcap(file: PcapFile): Uint8Array {
  const littleEndian = (file.byteOrder ?? "little") === "little";
  const nano = file.precision === "nano";
  const scale = nano ? 1e9 : 1e6;
  const size = file.packets.reduce((sum, p) => sum + RECORD_HEADER + p.data.length, GLOBAL_HEADER);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, nano ? MAGIC_NANO : MAGIC_MICRO, littleEndian);
  view.setUint16(4, 2, littleEndian);
  view.setUint16(6, 4, littleEndian);
  // 8..15: timezone offset and timestamp accuracy, always zero in practice.
  view.setUint32(16, file.snapLength, littleEndian);
  view.setUint32(20, file.linkType, littleEndian);
  let at = GLOBAL_HEADER;
  file.packets.forEach((packet, i) => {
    if (packet.capturedLength !== packet.data.length) {
      throw new RangeError(
        `Cannot write pcap: packet ${
          i + 1
        } has capturedLength ${packet.capturedLength} but ${packet.data.length} data bytes`,
      );
    }
    let seconds = Math.floor(packet.time);
    let fraction = Math.round((packet.time - seconds) * scale);
    if (fraction >= scale) { // rounding reached the next second
      seconds += 1;
      fraction -= scale;
    }
    view.setUint32(at, seconds, littleEndian);
    view.setUint32(at + 4, fraction, littleEndian);
    view.setUint32(at + 8, packet.data.length, littleEndian);
    view.setUint32(at + 12, Math.max(packet.originalLength, packet.data.length), littleEndian);
    out.set(packet.data, at + RECORD_HEADER);
    at += RECORD_HEADER + packet.data.length;
  });
  return out;
}
