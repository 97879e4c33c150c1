/**
 * Exercise: take a loopback frame apart by hand.
 *
 * `tcpdump -i lo` records each packet as a frame of nested headers (RFC 791 3.1 for IPv4,
 * RFC 9293 3.1 for TCP):
 *
 * 1. Ethernet header, 14 bytes (on loopback both MAC addresses are zero; bytes 12-13 are
 *    0x0800, "IPv4 follows");
 * 2. IPv4 header: its length is IHL * 4 bytes, IHL being the low 4 bits of its first byte
 *    (usually 5, but options make it longer); bytes 2-3 are the total length of header
 *    plus everything after it;
 * 3. TCP header: ports (2 bytes each), sequence number and acknowledgment number (4 bytes
 *    each, big-endian), then the data offset (high 4 bits of byte 12: header length in
 *    32-bit words; options make it longer than 5) and the flags (byte 13: CWR ECE URG ACK
 *    PSH RST SYN FIN from the high bit down);
 * 4. the application's bytes, up to the end of the IP datagram (total length), not
 *    necessarily to the end of the frame.
 *
 * Mind JavaScript's bit operators: they work on signed 32-bit numbers, so `b << 24` can be
 * negative. Sequence numbers go up to 4294967295.
 *
 * Check your work with `deno task grade 01_layers`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** What you read out of the frame. */
export interface Dissected {
  sourcePort: number;
  destinationPort: number;
  /** Unsigned 32-bit sequence number. */
  seq: number;
  /** Unsigned 32-bit acknowledgment number. */
  ack: number;
  flags: { syn: boolean; ack: boolean; fin: boolean; rst: boolean; psh: boolean };
  /** The application bytes decoded as UTF-8 ("" when there are none). */
  payload: string;
}

/** Read ports, seq, ack, flags and payload from an Ethernet/IPv4/TCP loopback frame. */
export function dissectLoopbackFrame(frame: Uint8Array): Dissected {
  // TODO: skip the 14-byte Ethernet header; find the TCP header after IHL * 4 bytes;
  // TODO: read ports, seq, ack (unsigned!) and flags; the payload starts after data offset * 4
  //       bytes and ends where the IP total length says.
  throw todo(`dissectLoopbackFrame(): take apart ${frame.length} bytes`);
}
