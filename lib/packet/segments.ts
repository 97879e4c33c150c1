/**
 * A capture as a list of TCP segments, with relative sequence numbers.
 *
 * Initial sequence numbers are random (RFC 9293 3.4.1, RFC 6528), so raw numbers like
 * 3941202618 hide the pattern. tcpdump (without `-S`) and Wireshark print numbers
 * relative to each side's initial sequence number: the SYN is 0, the first data byte is 1,
 * and an ack is relative to the *other* side's initial number. This module does the same.
 *
 * @module
 */

import { dissectFrame } from "./dissect.ts";
import type { PcapFile } from "./pcap.ts";
import { flagNames, formatFlags, type TcpFlags, type TcpOption } from "./tcp.ts";
import { seqRelative } from "./seq.ts";
import { escapeMermaid, MermaidDiagram } from "../viz/mermaid.ts";
import { type Displayable, table } from "../viz/display.ts";

/** One TCP segment of a capture. */
export interface Segment {
  /** Position of its packet in `pcap.packets` (0-based; Wireshark's "No." is index + 1). */
  index: number;
  /** Capture time, seconds since 1970. */
  time: number;
  /** Sender, `"127.0.0.1:40312"`. */
  from: string;
  /** Receiver. */
  to: string;
  /** Raw 32-bit sequence number. */
  seq: number;
  /** Raw acknowledgment number (meaningful when `flags.ack`). */
  ack: number;
  /** `seq` counted from the sender's initial sequence number. */
  relativeSeq: number;
  /** `ack` counted from the receiver's initial sequence number; 0 without the ACK flag. */
  relativeAck: number;
  flags: TcpFlags;
  /** The window field as sent (scaled by the shift its sender announced in its SYN, RFC 7323). */
  window: number;
  /** TCP options (MSS, window scale, SACK blocks, timestamps...). */
  options: TcpOption[];
  /** Bytes of application data. */
  payloadLength: number;
  payload: Uint8Array;
}

/** Key of a connection, the same for both directions. */
function connectionKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/**
 * Every TCP segment in `pcap`, in capture order. Frames that are not IPv4/TCP are skipped.
 * A side's base is its SYN's sequence number, or (capture started mid-connection) the
 * first sequence number seen from it, as Wireshark does. A new SYN without ACK on the same
 * address pair starts a new connection.
 *
 * @throws {PacketError} a frame cannot be dissected (the message says which packet).
 *
 * @example
 * ```ts ignore
 * import { readPcap, tcpSegments } from "./mod.ts";
 * const pcap = readPcap(await Deno.readFile("fixtures/captures/smtp-session.pcap"));
 * console.log(tcpSegments(pcap).map((s) => `${s.from} > ${s.to} seq ${s.relativeSeq}`));
 * ```
 */
export function tcpSegments(pcap: PcapFile): Segment[] {
  const bases = new Map<string, Map<string, number>>(); // connection -> sender -> ISN
  const segments: Segment[] = [];
  pcap.packets.forEach((packet, index) => {
    let frame;
    try {
      frame = dissectFrame(packet.data, pcap.linkType);
    } catch (error) {
      if (error instanceof Error) error.message = `Packet ${index + 1}: ${error.message}`;
      throw error;
    }
    const { ip, tcp } = frame;
    if (!ip || !tcp) return;
    const from = `${ip.source}:${tcp.sourcePort}`;
    const to = `${ip.destination}:${tcp.destinationPort}`;
    const key = connectionKey(from, to);
    let sides = bases.get(key);
    if (!sides || (tcp.flags.syn && !tcp.flags.ack)) bases.set(key, sides = new Map());
    if (!sides.has(from)) sides.set(from, tcp.seq);
    if (tcp.flags.ack && !sides.has(to)) sides.set(to, tcp.ack);
    segments.push({
      index,
      time: packet.time,
      from,
      to,
      seq: tcp.seq,
      ack: tcp.ack,
      relativeSeq: seqRelative(tcp.seq, sides.get(from)!),
      relativeAck: tcp.flags.ack ? seqRelative(tcp.ack, sides.get(to)!) : 0,
      flags: tcp.flags,
      window: tcp.window,
      options: tcp.options,
      payloadLength: frame.payload.length,
      payload: frame.payload,
    });
  });
  return segments;
}

/** What an endpoint announced in its SYN (RFC 9293 3.7.1, RFC 7323, RFC 2018). */
export interface Announced {
  /** Maximum segment size it will receive: data bytes per segment, options not counted. */
  mss?: number;
  /** Window scale: its later window fields mean `window × 2^windowShift` bytes. */
  windowShift?: number;
  timestamps: boolean;
  sackPermitted: boolean;
}

/**
 * The options each endpoint announced in its SYN, by endpoint (`"127.0.0.1:40312"`).
 * A window field is only scaled when both SYNs carried the window scale option.
 *
 * @example
 * ```ts ignore
 * import { handshakeOptions, readPcap, tcpSegments } from "./mod.ts";
 * const segments = tcpSegments(readPcap(await Deno.readFile("fixtures/captures/smtp-session.pcap")));
 * console.log(handshakeOptions(segments)[segments[0].from].mss);
 * ```
 */
export function handshakeOptions(segments: readonly Segment[]): Record<string, Announced> {
  const announced: Record<string, Announced> = {};
  for (const s of segments) {
    if (!s.flags.syn || announced[s.from]) continue;
    const entry: Announced = { timestamps: false, sackPermitted: false };
    for (const option of s.options) {
      if (option.kind === "mss") entry.mss = option.value;
      if (option.kind === "wscale") entry.windowShift = option.shift;
      if (option.kind === "timestamps") entry.timestamps = true;
      if (option.kind === "sackPermitted") entry.sackPermitted = true;
    }
    announced[s.from] = entry;
  }
  return announced;
}

const decoder = new TextDecoder();

/** The payload as one line of text: CR and LF shown as `\r` `\n`, cut to `max` characters. */
export function payloadPreview(payload: Uint8Array, max = 40): string {
  const text = decoder.decode(payload).replace(/\r/g, "\\r").replace(/\n/g, "\\n")
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ".");
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** Options for {@linkcode segmentDiagram}. */
export interface SegmentDiagramOptions {
  /** Show relative (default) or raw sequence numbers. */
  relative?: boolean;
  /** Show at most this many segments. Default 60. */
  maxSegments?: number;
  /** Characters of payload text per arrow; 0 hides it. Default 24. */
  payloadText?: number;
  /** Names for endpoints, e.g. `{ "127.0.0.1:2525": "server" }`. */
  names?: Record<string, string>;
}

function segmentLabel(s: Segment, relative: boolean, payloadText: number): string {
  const seq = relative ? s.relativeSeq : s.seq;
  const ack = relative ? s.relativeAck : s.ack;
  const parts = [`[${formatFlags(s.flags)}] seq=${seq}`];
  if (s.flags.ack) parts.push(`ack=${ack}`);
  parts.push(`len=${s.payloadLength}`);
  if (payloadText > 0 && s.payloadLength > 0) {
    parts.push(`"${payloadPreview(s.payload, payloadText)}"`);
  }
  return parts.join(" ");
}

/**
 * A mermaid sequence diagram: one arrow per segment, labelled with tcpdump-style flags,
 * seq, ack, payload length and the start of the payload.
 *
 * @example
 * ```ts ignore
 * import { segmentDiagram, tcpSegments } from "./segments.ts";
 * segmentDiagram(tcpSegments(pcap), { names: { "127.0.0.1:2525": "server" } });
 * ```
 */
export function segmentDiagram(
  segments: readonly Segment[],
  options: SegmentDiagramOptions = {},
): MermaidDiagram {
  const relative = options.relative ?? true;
  const max = options.maxSegments ?? 60;
  const payloadText = options.payloadText ?? 24;
  const name = (endpoint: string) => options.names?.[endpoint] ?? endpoint;
  const participants = [...new Set(segments.flatMap((s) => [s.from, s.to]))];
  const ids = new Map(participants.map((p, i) => [p, `p${i}`]));
  const out = ["sequenceDiagram"];
  for (const p of participants) {
    const label = name(p) === p ? p : `${name(p)} ${p}`;
    out.push(`  participant ${ids.get(p)} as ${escapeMermaid(label)}`);
  }
  const plain: string[] = [];
  for (const s of segments.slice(0, max)) {
    const label = segmentLabel(s, relative, payloadText);
    out.push(`  ${ids.get(s.from)}->>${ids.get(s.to)}: ${escapeMermaid(label)}`);
    plain.push(`${name(s.from)} -> ${name(s.to)}: ${label}`);
  }
  if (segments.length > max && participants.length > 0) {
    const more = `${segments.length - max} more segments not shown`;
    out.push(`  Note over ${ids.get(participants[0])},${ids.get(participants.at(-1)!)}: ${more}`);
    plain.push(`(${more})`);
  }
  return new MermaidDiagram(out.join("\n"), plain.join("\n"));
}

/**
 * A table of segments: time since the first, direction, flags, relative seq/ack, window,
 * payload length and text.
 */
export function segmentTable(
  segments: readonly Segment[],
  names: Record<string, string> = {},
): Displayable {
  const t0 = segments[0]?.time ?? 0;
  const name = (endpoint: string) => names[endpoint] ?? endpoint;
  return table(
    ["#", "time (ms)", "from", "to", "flags", "seq", "ack", "win", "len", "payload"],
    segments.map((s) => [
      String(s.index + 1),
      ((s.time - t0) * 1000).toFixed(3),
      name(s.from),
      name(s.to),
      flagNames(s.flags),
      String(s.relativeSeq),
      s.flags.ack ? String(s.relativeAck) : "",
      String(s.window),
      String(s.payloadLength),
      payloadPreview(s.payload),
    ]),
  );
}
