/**
 * Exercise: dissect a whole capture file, and compute the TCP checksum.
 *
 * `dissect_frame` took one frame apart. Here the input is a whole file as tcpdump writes
 * it (`tcpdump -w`): the classic pcap format, a 24-byte global header then one record
 * per packet (a 16-byte record header, then the captured bytes). Look the format up
 * (the pcap file format is described by libpcap's `pcap-savefile(5)` man page and by
 * draft-ietf-opsawg-pcap): how do you tell the file's byte order, and the link type?
 * Handle Ethernet (link type 1, what `tcpdump -i lo` records) and raw IP (101); skip
 * frames that are not IPv4 carrying TCP.
 *
 * Write `dissectCapture(file)`: every TCP connection, in the order of its first packet.
 * Segments of both directions between the same two address:port pairs belong to one
 * connection, except that a new SYN (without ACK) starts a new one. For each connection
 * report the fields of `TcpConnection` below. Relative numbers are counted the way
 * Wireshark and `tcpdump` (without `-S`) count them: from each side's base, which is its
 * SYN's sequence number, or, without a SYN in the file, the first number seen for that
 * side (its own seq, or the ack the other side sent it, whichever comes first). Mind the
 * wrap at 2^32.
 *
 * Write `tcpChecksum(segment, source, destination)`: the checksum over the IPv4
 * pseudo-header and the TCP segment (RFC 9293 section 3.1), computed as if the segment's
 * checksum field were zero. Note that loopback captures carry only partial checksums
 * (the kernel leaves them to hardware that loopback does not have), so compare with
 * your own computation, not with the field.
 *
 * Check your work with `deno task grade 01_layers/dissect_capture`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

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

/** Every TCP connection in the capture, in the order of their first packet. */
export function dissectCapture(file: Uint8Array): TcpConnection[] {
  // TODO: read the global header; walk the records; dissect each frame down to TCP;
  // TODO: group segments into connections; relative numbers; handshake; ending.
  throw todo(`dissectCapture(): dissect a ${file.length}-byte capture`);
}

/** The TCP checksum of `segment` over the IPv4 pseudo-header, its own field taken as 0. */
export function tcpChecksum(segment: Uint8Array, source: string, destination: string): number {
  // TODO: the pseudo-header, then the segment, in 16-bit words; fold the carries.
  throw todo(`tcpChecksum(): ${segment.length} bytes from ${source} to ${destination}`);
}
