/**
 * Generated capture files for the packet graders (chapters 1 and 2): TCP connections on
 * loopback built with lib/packet (handshakes, data, every way of ending, sequence
 * numbers near the 2^32 wrap, retransmissions and duplicate ACKs), interleaved, with
 * frames that are not TCP in between, written as classic pcap in either byte order.
 *
 * @module
 */

import {
  buildIpv4,
  buildLink,
  LINKTYPE,
  LOOPBACK_ETHERNET,
  type PcapPacket,
  writePcap,
} from "../lib/packet/mod.ts";
import type { TcpFlags } from "../lib/packet/tcp.ts";
import { loopbackFrame } from "../lib/packet/test_frames.ts";
import type { Random } from "./seeded_random.ts";

const MOD = 2 ** 32;

/** What the generator may put in. */
export interface CaptureOptions {
  /** Connections in the file. Default 1 to 3. */
  connections?: number;
  /** Lose and retransmit data segments, with duplicate ACKs. Default false. */
  losses?: boolean;
}

/** One side of a generated connection. */
interface Side {
  address: string;
  port: number;
  isn: number;
  /** Next sequence number to send. */
  next: number;
}

/** A frame to be written, and which connection it belongs to. */
type Frame = Uint8Array;

const words = ["EHLO pc", "250 ok", "MAIL FROM:<a@b>", "DATA", "+OK", "* 1 EXISTS", "QUIT"];

function segment(
  from: Side,
  to: Side,
  flags: Partial<TcpFlags>,
  payload: Uint8Array,
  ack: number | null,
  window: number,
): Frame {
  return loopbackFrame(
    {
      sourcePort: from.port,
      destinationPort: to.port,
      seq: from.next,
      ack: ack ?? 0,
      flags: { ...flags, ack: ack !== null },
      window,
    },
    payload,
    { source: from.address, destination: to.address },
  );
}

/** The frames of one connection, in order. */
function connectionFrames(random: Random, options: CaptureOptions, serverPort: number): Frame[] {
  const isn = () => random.chance(0.3) ? MOD - random.int(1, 3000) : random.int(0, MOD - 1);
  const c: Side = {
    address: "127.0.0.1",
    port: random.int(32768, 60999),
    isn: isn(),
    next: 0,
  };
  const s: Side = {
    address: random.pick(["127.0.0.1", "127.0.0.2"]),
    port: serverPort,
    isn: isn(),
    next: 0,
  };
  c.next = c.isn;
  s.next = s.isn;
  const frames: Frame[] = [];
  const bump = (side: Side, n: number) => (side.next = (side.next + n) % MOD);
  const text = () => new TextEncoder().encode(random.pick(words) + "\r\n".repeat(random.int(1, 2)));
  const window = 65483;
  const midstream = random.chance(0.15);
  if (!midstream) {
    frames.push(segment(c, s, { syn: true }, new Uint8Array(), null, 65495));
    bump(c, 1);
    frames.push(segment(s, c, { syn: true }, new Uint8Array(), c.next, 65483));
    bump(s, 1);
    frames.push(segment(c, s, {}, new Uint8Array(), s.next, window));
  } else {
    bump(c, random.int(1, 5000));
    bump(s, random.int(1, 5000));
  }
  for (let round = random.int(1, 4); round > 0; round--) {
    const [speaker, listener] = random.chance(0.5) ? [c, s] : [s, c];
    if (options.losses && random.chance(0.7)) {
      // A burst: the first segment is lost (seen here leaving), the next ones arrive
      // out of order and each draws a duplicate ACK, then the lost one is sent again.
      const first = text();
      const lostAt = speaker.next;
      frames.push(segment(speaker, listener, { psh: true }, first, listener.next, window));
      bump(speaker, first.length);
      const ackWindow = random.int(1000, 65000);
      frames.push(segment(listener, speaker, {}, new Uint8Array(), lostAt, ackWindow));
      for (let i = random.int(1, 4); i > 0; i--) {
        const more = text();
        frames.push(segment(speaker, listener, { psh: true }, more, listener.next, window));
        bump(speaker, more.length);
        frames.push(segment(listener, speaker, {}, new Uint8Array(), lostAt, ackWindow));
      }
      const resume = speaker.next;
      speaker.next = lostAt;
      frames.push(segment(speaker, listener, { psh: true }, first, listener.next, window));
      speaker.next = resume;
      frames.push(segment(listener, speaker, {}, new Uint8Array(), speaker.next, ackWindow));
      continue;
    }
    const data = text();
    frames.push(segment(speaker, listener, { psh: true }, data, listener.next, window));
    bump(speaker, data.length);
    if (random.chance(0.7)) {
      frames.push(segment(listener, speaker, {}, new Uint8Array(), speaker.next, window));
      // The same ACK again with nothing outstanding: not a duplicate ACK (RFC 5681 2 (a)).
      if (random.chance(0.3)) {
        frames.push(segment(listener, speaker, {}, new Uint8Array(), speaker.next, window));
      }
    }
  }
  const ending = random.pick(["fin", "fin-together", "rst", "half-closed", "open"]);
  const [closer, other] = random.chance(0.6) ? [c, s] : [s, c];
  if (ending === "rst") {
    frames.push(segment(closer, other, { rst: true }, new Uint8Array(), other.next, 0));
  } else if (ending !== "open") {
    frames.push(segment(closer, other, { fin: true }, new Uint8Array(), other.next, window));
    bump(closer, 1);
    if (ending === "fin-together") {
      frames.push(segment(other, closer, { fin: true }, new Uint8Array(), closer.next, window));
      bump(other, 1);
    } else {
      frames.push(segment(other, closer, {}, new Uint8Array(), closer.next, window));
      if (ending === "fin") {
        frames.push(segment(other, closer, { fin: true }, new Uint8Array(), closer.next, window));
        bump(other, 1);
      }
    }
    if (ending !== "half-closed") {
      frames.push(segment(closer, other, {}, new Uint8Array(), other.next, window));
    }
  }
  return frames;
}

/** Frames that are not IPv4/TCP: an ARP request and a UDP datagram. */
function otherFrames(random: Random): Frame[] {
  const arp = new Uint8Array(14 + 28);
  arp.set(buildLink({ ...LOOPBACK_ETHERNET, etherType: 0x0806 }));
  const udp = buildIpv4(
    { source: "127.0.0.1", destination: "127.0.0.53", protocol: 17 },
    new Uint8Array(8 + random.int(0, 30)),
  );
  const udpFrame = new Uint8Array(14 + udp.length);
  udpFrame.set(buildLink(LOOPBACK_ETHERNET));
  udpFrame.set(udp, 14);
  return random.shuffle([arp, udpFrame]).slice(0, random.int(0, 2));
}

/**
 * A generated capture file. Connections are interleaved (each keeps its own order); two
 * connections may share a server port, and a later one may reuse an earlier one's
 * client port (a new SYN starts a new connection).
 */
export function generateCapture(random: Random, options: CaptureOptions = {}): Uint8Array {
  const count = options.connections ?? random.int(1, 3);
  const queues = Array.from(
    { length: count },
    () => connectionFrames(random, options, random.pick([25, 110, 143, 587])),
  );
  queues.push(otherFrames(random));
  const frames: Frame[] = [];
  while (queues.some((q) => q.length)) {
    const ready = queues.filter((q) => q.length);
    frames.push(random.pick(ready).shift()!);
  }
  let time = 1_700_000_000 + random.int(0, 10_000_000);
  const packets: PcapPacket[] = frames.map((data) => {
    time += random.int(1, 5000) / 1e6;
    return { time, capturedLength: data.length, originalLength: data.length, data };
  });
  return writePcap({
    linkType: LINKTYPE.ETHERNET,
    snapLength: 262144,
    packets,
    byteOrder: random.pick(["little", "big"] as const),
    precision: random.pick(["micro", "nano"] as const),
  });
}
