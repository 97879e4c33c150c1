/**
 * TCP headers (RFC 9293 3.1).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                    Options (data offset > 5)                  |
 * ```
 *
 * The checksum covers a pseudo-header (source and destination address, zero, protocol 6,
 * TCP length) plus the whole segment, so a segment delivered to the wrong address fails it.
 *
 * @module
 */

import { onesComplementSum } from "./checksum.ts";
import { need, PacketError } from "./errors.ts";
import { type ChecksumStatus, IP_PROTOCOL, ipv4Bytes } from "./ipv4.ts";

export * from "./seq.ts";

/** The eight flag bits, in header order (CWR and ECE from RFC 3168). */
export interface TcpFlags {
  cwr: boolean;
  ece: boolean;
  urg: boolean;
  ack: boolean;
  psh: boolean;
  rst: boolean;
  syn: boolean;
  fin: boolean;
}

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TCP_OPTION = {
  /** RFC 9293 3.2: End of Option List. */
  EOL: 0,
  /** RFC 9293 3.2: No-Operation (padding between options). */
  NOP: 1,
  /** RFC 9293 3.7.1: Maximum Segment Size, SYN only. */
  MSS: 2,
  /** RFC 7323 2: Window Scale, SYN only. */
  WINDOW_SCALE: 3,
  /** RFC 2018: SACK permitted, SYN only. */
  SACK_PERMITTED: 4,
  /** RFC 2018: selective acknowledgment blocks. */
  SACK: 5,
  /** RFC 7323 3: Timestamps (TSval, TSecr). */
  TIMESTAMPS: 8,
} as const;

/** One TCP option. Unknown kinds are kept with their raw bytes. */
export type TcpOption =
  | { kind: "eol" }
  | { kind: "nop" }
  | { kind: "mss"; value: number }
  | { kind: "wscale"; shift: number }
  | { kind: "sackPermitted" }
  | { kind: "sack"; blocks: { left: number; right: number }[] }
  | { kind: "timestamps"; value: number; echo: number }
  | { kind: "unknown"; type: number; data: Uint8Array };

/** A parsed TCP header. */
export interface TcpHeader {
  sourcePort: number;
  destinationPort: number;
  seq: number;
  ack: number;
  /** Header length in 32-bit words (5..15). */
  dataOffset: number;
  /** dataOffset * 4: where the payload starts. */
  headerLength: number;
  /** The 4 reserved bits (zero). */
  reserved: number;
  flags: TcpFlags;
  window: number;
  checksum: number;
  urgentPointer: number;
  options: TcpOption[];
  /** Computed over the pseudo-header when the addresses were given, else undefined. */
  computedChecksum?: number;
  checksumStatus?: ChecksumStatus;
}

/** Where a TCP header is and, to check the checksum, the IP addresses around it. */
export interface TcpParseOptions {
  /** Offset of the header in `data`. Default 0. */
  at?: number;
  /** End of the segment in `data` (IP total length). Default: end of `data`. */
  end?: number;
  /** IPv4 source address (for the pseudo-header). */
  source?: string;
  destination?: string;
  /** Length of the whole segment per the IP header, when more than was captured. */
  segmentLength?: number;
}

const FLAG_BITS: [keyof TcpFlags, number][] = [
  ["cwr", 0x80],
  ["ece", 0x40],
  ["urg", 0x20],
  ["ack", 0x10],
  ["psh", 0x08],
  ["rst", 0x04],
  ["syn", 0x02],
  ["fin", 0x01],
];

/** All flags off; spread it and set the ones you want. */
export const NO_FLAGS: Readonly<TcpFlags> = Object.freeze({
  cwr: false,
  ece: false,
  urg: false,
  ack: false,
  psh: false,
  rst: false,
  syn: false,
  fin: false,
});

/** The flags byte from flags. */
export function flagsByte(flags: Partial<TcpFlags>): number {
  return FLAG_BITS.reduce((byte, [name, bit]) => flags[name] ? byte | bit : byte, 0);
}

/** Flags from the flags byte. */
export function flagsFromByte(byte: number): TcpFlags {
  const flags = { ...NO_FLAGS };
  for (const [name, bit] of FLAG_BITS) flags[name] = (byte & bit) !== 0;
  return flags;
}

/**
 * Flags the way tcpdump prints them: `S` SYN, `F` FIN, `P` PSH, `R` RST, `U` URG, `E`
 * ECE, `W` CWR, and `.` for ACK; `none` when no flag is set.
 *
 * @example
 * ```ts
 * import { formatFlags } from "./tcp.ts";
 * const text = formatFlags({ syn: true, ack: true });
 * if (text !== "S.") throw new Error(text);
 * ```
 */
export function formatFlags(flags: Partial<TcpFlags>): string {
  const order: [keyof TcpFlags, string][] = [
    ["syn", "S"],
    ["fin", "F"],
    ["psh", "P"],
    ["rst", "R"],
    ["urg", "U"],
    ["ece", "E"],
    ["cwr", "W"],
    ["ack", "."],
  ];
  const text = order.filter(([name]) => flags[name]).map(([, c]) => c).join("");
  return text || "none";
}

/** Flag names in upper case, as Wireshark lists them: `"SYN, ACK"`. */
export function flagNames(flags: Partial<TcpFlags>): string {
  return FLAG_BITS.filter(([name]) => flags[name]).map(([name]) => name.toUpperCase()).reverse()
    .join(", ");
}

function parseOptions(data: Uint8Array, start: number, end: number): TcpOption[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const options: TcpOption[] = [];
  let at = start;
  while (at < end) {
    const type = data[at];
    if (type === TCP_OPTION.EOL) {
      options.push({ kind: "eol" });
      break; // the rest is padding
    }
    if (type === TCP_OPTION.NOP) {
      options.push({ kind: "nop" });
      at++;
      continue;
    }
    if (at + 1 >= end) {
      throw new PacketError("TCP", `option kind ${type} length`, at, "is missing (header ends)");
    }
    const length = data[at + 1];
    if (length < 2 || at + length > end) {
      throw new PacketError(
        "TCP",
        `option kind ${type} length`,
        at + 1,
        length < 2 ? `is ${length}, below 2` : `${length} runs past the header end (byte ${end})`,
      );
    }
    const expect = (want: number) => {
      if (length !== want) {
        throw new PacketError(
          "TCP",
          `option kind ${type} length`,
          at + 1,
          `is ${length}, not ${want}`,
        );
      }
    };
    switch (type) {
      case TCP_OPTION.MSS:
        expect(4);
        options.push({ kind: "mss", value: view.getUint16(at + 2) });
        break;
      case TCP_OPTION.WINDOW_SCALE:
        expect(3);
        options.push({ kind: "wscale", shift: data[at + 2] });
        break;
      case TCP_OPTION.SACK_PERMITTED:
        expect(2);
        options.push({ kind: "sackPermitted" });
        break;
      case TCP_OPTION.SACK: {
        if ((length - 2) % 8 !== 0) {
          throw new PacketError("TCP", "SACK option length", at + 1, `${length} is not 2 + 8n`);
        }
        const blocks = [];
        for (let b = at + 2; b < at + length; b += 8) {
          blocks.push({ left: view.getUint32(b), right: view.getUint32(b + 4) });
        }
        options.push({ kind: "sack", blocks });
        break;
      }
      case TCP_OPTION.TIMESTAMPS:
        expect(10);
        options.push({
          kind: "timestamps",
          value: view.getUint32(at + 2),
          echo: view.getUint32(at + 6),
        });
        break;
      default:
        options.push({ kind: "unknown", type, data: data.slice(at + 2, at + length) });
    }
    at += length;
  }
  return options;
}

/** Option bytes, padded with EOL to a multiple of 4. */
export function buildOptions(options: readonly TcpOption[]): Uint8Array {
  const bytes: number[] = [];
  const u16 = (n: number) => bytes.push(n >> 8 & 0xff, n & 0xff);
  const u32 = (n: number) => bytes.push(n >>> 24, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff);
  for (const option of options) {
    switch (option.kind) {
      case "eol":
        bytes.push(0);
        break;
      case "nop":
        bytes.push(1);
        break;
      case "mss":
        bytes.push(2, 4);
        u16(option.value);
        break;
      case "wscale":
        bytes.push(3, 3, option.shift);
        break;
      case "sackPermitted":
        bytes.push(4, 2);
        break;
      case "sack":
        bytes.push(5, 2 + 8 * option.blocks.length);
        for (const block of option.blocks) {
          u32(block.left);
          u32(block.right);
        }
        break;
      case "timestamps":
        bytes.push(8, 10);
        u32(option.value);
        u32(option.echo);
        break;
      case "unknown":
        bytes.push(option.type, 2 + option.data.length, ...option.data);
        break;
    }
  }
  while (bytes.length % 4) bytes.push(0);
  return new Uint8Array(bytes);
}

/**
 * The one's-complement sum of the IPv4 pseudo-header (RFC 9293 3.1): source, destination,
 * zero, protocol 6, TCP length. Not complemented.
 */
export function pseudoHeaderSum(source: string, destination: string, tcpLength: number): number {
  const pseudo = new Uint8Array(12);
  pseudo.set(ipv4Bytes(source), 0);
  pseudo.set(ipv4Bytes(destination), 4);
  pseudo[9] = IP_PROTOCOL.TCP;
  new DataView(pseudo.buffer).setUint16(10, tcpLength);
  return onesComplementSum(pseudo);
}

/**
 * The TCP checksum of `segment` (header and payload) between two IPv4 addresses,
 * computed as if the checksum field (bytes 16 and 17) were zero.
 *
 * @example
 * ```ts
 * import { buildTcp, tcpChecksum } from "./tcp.ts";
 * const segment = buildTcp({ sourcePort: 1, destinationPort: 2 }, new Uint8Array(0),
 *   { source: "127.0.0.1", destination: "127.0.0.1" });
 * const stored = (segment[16] << 8) | segment[17];
 * if (tcpChecksum(segment, "127.0.0.1", "127.0.0.1") !== stored) throw new Error("unexpected");
 * ```
 */
export function tcpChecksum(segment: Uint8Array, source: string, destination: string): number {
  const copy = segment.slice();
  copy[16] = 0;
  copy[17] = 0;
  return ~onesComplementSum(copy, pseudoHeaderSum(source, destination, segment.length)) & 0xffff;
}

/**
 * Judge a received TCP checksum. Besides right and wrong there is a third case that
 * captures on one machine show often: with checksum offload, Linux puts only the
 * pseudo-header sum in the field and leaves the rest to the network card. Loopback has no
 * card and no wire to corrupt the bytes, so the sum is never completed, and tcpdump
 * prints "cksum 0x... (incorrect -> 0x...)". That is `"partial"`.
 */
export function tcpChecksumStatus(
  segment: Uint8Array,
  source: string,
  destination: string,
): { computed: number; status: ChecksumStatus } {
  const stored = (segment[16] << 8) | segment[17];
  const computed = tcpChecksum(segment, source, destination);
  if (stored === computed) return { computed, status: "correct" };
  const partial = pseudoHeaderSum(source, destination, segment.length);
  return { computed, status: stored === partial ? "partial" : "incorrect" };
}

/**
 * Read the TCP header at `options.at` in `data`. With `source` and `destination` given,
 * the checksum is checked too (`checksumStatus`); a bad checksum is reported, not thrown.
 *
 * @throws {PacketError} truncated header, data offset below 5 or past the segment, or a
 *   malformed option.
 *
 * @example
 * ```ts
 * import { buildTcp, parseTcp } from "./tcp.ts";
 * const bytes = buildTcp({ sourcePort: 40000, destinationPort: 25, flags: { syn: true },
 *   options: [{ kind: "mss", value: 65495 }] });
 * const tcp = parseTcp(bytes);
 * if (!tcp.flags.syn || tcp.options[0].kind !== "mss") throw new Error("unexpected");
 * ```
 */
export function parseTcp(data: Uint8Array, options: TcpParseOptions = {}): TcpHeader {
  const at = options.at ?? 0;
  const end = options.end ?? data.length;
  need(data, at, 20, "TCP", "header", end);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dataOffset = data[at + 12] >> 4;
  if (dataOffset < 5) {
    throw new PacketError(
      "TCP",
      "data offset",
      at + 12,
      `is ${dataOffset} (${dataOffset * 4} bytes), below the minimum of 5`,
    );
  }
  const headerLength = dataOffset * 4;
  need(data, at, headerLength, "TCP", `header with options (data offset ${dataOffset})`, end);
  const header: TcpHeader = {
    sourcePort: view.getUint16(at),
    destinationPort: view.getUint16(at + 2),
    seq: view.getUint32(at + 4),
    ack: view.getUint32(at + 8),
    dataOffset,
    headerLength,
    reserved: data[at + 12] & 0x0f,
    flags: flagsFromByte(data[at + 13]),
    window: view.getUint16(at + 14),
    checksum: view.getUint16(at + 16),
    urgentPointer: view.getUint16(at + 18),
    options: parseOptions(data, at + 20, at + headerLength),
  };
  if (options.source && options.destination) {
    const segment = data.subarray(at, end);
    if (options.segmentLength !== undefined && options.segmentLength > segment.length) {
      header.checksumStatus = "unverifiable";
    } else {
      const { computed, status } = tcpChecksumStatus(segment, options.source, options.destination);
      header.computedChecksum = computed;
      header.checksumStatus = status;
    }
  }
  return header;
}

/** Fields for {@linkcode buildTcp}; only the ports are required. */
export interface TcpFields {
  sourcePort: number;
  destinationPort: number;
  seq?: number;
  ack?: number;
  flags?: Partial<TcpFlags>;
  /** Default 65535. */
  window?: number;
  urgentPointer?: number;
  options?: TcpOption[];
  /** Default: from the options' length. Give a value to build a bad header on purpose. */
  dataOffset?: number;
  /** Default: computed when addresses are given, else 0. */
  checksum?: number;
}

/**
 * Build a TCP segment (header, options, payload). With `addresses`, the checksum is
 * computed over the IPv4 pseudo-header.
 *
 * @example
 * ```ts
 * import { buildTcp } from "./tcp.ts";
 * const segment = buildTcp({ sourcePort: 25, destinationPort: 40000, flags: { ack: true } },
 *   new TextEncoder().encode("220 hi\r\n"));
 * if (segment.length !== 28 || segment[13] !== 0x10) throw new Error("unexpected");
 * ```
 */
export function buildTcp(
  fields: TcpFields,
  payload: Uint8Array = new Uint8Array(0),
  addresses?: { source: string; destination: string },
): Uint8Array {
  const options = buildOptions(fields.options ?? []);
  if (options.length > 40) throw new RangeError("Cannot build TCP header: options exceed 40 bytes");
  const headerLength = 20 + options.length;
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, fields.sourcePort);
  view.setUint16(2, fields.destinationPort);
  view.setUint32(4, (fields.seq ?? 0) >>> 0);
  view.setUint32(8, (fields.ack ?? 0) >>> 0);
  out[12] = (fields.dataOffset ?? headerLength / 4) << 4;
  out[13] = flagsByte(fields.flags ?? {});
  view.setUint16(14, fields.window ?? 65535);
  view.setUint16(18, fields.urgentPointer ?? 0);
  out.set(options, 20);
  out.set(payload, headerLength);
  const checksum = fields.checksum ??
    (addresses ? tcpChecksum(out, addresses.source, addresses.destination) : 0);
  view.setUint16(16, checksum);
  return out;
}
