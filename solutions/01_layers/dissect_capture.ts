/**
 * Dissect a whole capture file: every TCP connection with its handshake, data and
 * teardown, sequence numbers relative to each side's initial one; and the TCP checksum
 * over the IPv4 pseudo-header (RFC 9293 3.1).
 *
 * @module
 */

/** One TCP segment, as seen in a connection. */
export interface SegmentSummary {
  /** Position of its packet in the file, counted from 0. */
  packet: number;
  /** Who sent it. */
  from: "client" | "server";
  flags: { syn: boolean; ack: boolean; fin: boolean; rst: boolean; psh: boolean };
  /** Sequence number relative to the sender's base. */
  seq: number;
  /** Acknowledgment number relative to the receiver's base; 0 without the ACK flag. */
  ack: number;
  /** Bytes of application data. */
  length: number;
}

/** One TCP connection of the capture. */
export interface TcpConnection {
  /** "127.0.0.1:40312": the side that sent the SYN (without one, the first sender seen). */
  client: string;
  server: string;
  /** Packets of the three-way handshake: SYN, SYN-ACK, ACK; null if not all seen. */
  handshake: [number, number, number] | null;
  /** Application bytes sent by each side. */
  clientBytes: number;
  serverBytes: number;
  /** "rst" if a side reset it, "fin" if both sent FIN, "half-closed" if one did, else "open". */
  ending: "fin" | "half-closed" | "rst" | "open";
  segments: SegmentSummary[];
}

/** Relative sequence arithmetic modulo 2^32. */
const relative = (n: number, base: number) => (n - base + 2 ** 32) % 2 ** 32;

interface RawSegment {
  packet: number;
  from: string;
  to: string;
  seq: number;
  ack: number;
  flags: SegmentSummary["flags"];
  length: number;
}

/** The TCP segments of a classic pcap file with Ethernet or raw-IP link layer. */
function readSegments(file: Uint8Array): RawSegment[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!little && ![0xa1b2c3d4, 0xa1b23c4d].includes(view.getUint32(0, false))) {
    throw new Error("Cannot read capture: not a pcap file");
  }
  const linkType = view.getUint32(20, little);
  const segments: RawSegment[] = [];
  let at = 24;
  for (let packet = 0; at + 16 <= file.length; packet++) {
    const captured = view.getUint32(at + 8, little);
    const data = file.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    let ip = 0;
    if (linkType === 1) {
      if (data.length < 14 || ((data[12] << 8) | data[13]) !== 0x0800) continue;
      ip = 14;
    } else if (linkType !== 101) {
      throw new Error(`Cannot read capture: link type ${linkType}`);
    }
    if ((data[ip] >> 4) !== 4 || data[ip + 9] !== 6) continue; // IPv4 carrying TCP only
    const ihl = (data[ip] & 0x0f) * 4;
    const total = (data[ip + 2] << 8) | data[ip + 3];
    const address = (o: number) => data.subarray(ip + o, ip + o + 4).join(".");
    const tcp = ip + ihl;
    const d = new DataView(data.buffer, data.byteOffset + tcp);
    const offset = (data[tcp + 12] >> 4) * 4;
    const f = data[tcp + 13];
    segments.push({
      packet,
      from: `${address(12)}:${d.getUint16(0)}`,
      to: `${address(16)}:${d.getUint16(2)}`,
      seq: d.getUint32(4),
      ack: d.getUint32(8),
      flags: {
        fin: (f & 1) !== 0,
        syn: (f & 2) !== 0,
        rst: (f & 4) !== 0,
        psh: (f & 8) !== 0,
        ack: (f & 16) !== 0,
      },
      length: total - ihl - offset,
    });
  }
  return segments;
}

/** Every TCP connection in the capture, in the order of their first packet. */
export function dissectCapture(file: Uint8Array): TcpConnection[] {
  const open = new Map<string, { connection: TcpConnection; bases: Map<string, number> }>();
  const all: TcpConnection[] = [];
  for (const s of readSegments(file)) {
    const key = [s.from, s.to].sort().join(" ");
    let current = open.get(key);
    if (!current || (s.flags.syn && !s.flags.ack)) {
      const connection: TcpConnection = {
        client: s.from,
        server: s.to,
        handshake: null,
        clientBytes: 0,
        serverBytes: 0,
        ending: "open",
        segments: [],
      };
      current = { connection, bases: new Map() };
      open.set(key, current);
      all.push(connection);
    }
    const { connection: c, bases } = current;
    if (!bases.has(s.from)) bases.set(s.from, s.seq);
    if (s.flags.ack && !bases.has(s.to)) bases.set(s.to, s.ack);
    const from = s.from === c.client ? "client" : "server";
    c.segments.push({
      packet: s.packet,
      from,
      flags: s.flags,
      seq: relative(s.seq, bases.get(s.from)!),
      ack: s.flags.ack ? relative(s.ack, bases.get(s.to)!) : 0,
      length: s.length,
    });
    if (from === "client") c.clientBytes += s.length;
    else c.serverBytes += s.length;
  }
  for (const c of all) {
    const [syn, synAck, ack] = [
      c.segments.find((s) => s.from === "client" && s.flags.syn && !s.flags.ack),
      c.segments.find((s) => s.from === "server" && s.flags.syn && s.flags.ack && s.ack === 1),
      c.segments.find((s) =>
        s.from === "client" && !s.flags.syn && s.flags.ack && s.seq === 1 && s.ack === 1
      ),
    ];
    if (syn && synAck && ack && syn.packet < synAck.packet && synAck.packet < ack.packet) {
      c.handshake = [syn.packet, synAck.packet, ack.packet];
    }
    const fins = new Set(c.segments.filter((s) => s.flags.fin).map((s) => s.from));
    c.ending = c.segments.some((s) => s.flags.rst)
      ? "rst"
      : fins.size === 2
      ? "fin"
      : fins.size === 1
      ? "half-closed"
      : "open";
  }
  return all;
}

/** The TCP checksum of `segment` over the IPv4 pseudo-header, its own field taken as 0. */
export function tcpChecksum(segment: Uint8Array, source: string, destination: string): number {
  const pseudo = [
    ...source.split(".").map(Number),
    ...destination.split(".").map(Number),
    0,
    6,
    segment.length >> 8,
    segment.length & 0xff,
  ];
  let sum = 0;
  const add = (bytes: ArrayLike<number>, skipChecksum: boolean) => {
    for (let i = 0; i < bytes.length; i += 2) {
      const hi = skipChecksum && (i === 16) ? 0 : bytes[i];
      const lo = skipChecksum && (i === 16) ? 0 : (bytes[i + 1] ?? 0);
      sum += (hi << 8) | lo;
    }
  };
  add(pseudo, false);
  add(segment, true);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
