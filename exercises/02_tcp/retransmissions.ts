/**
 * Exercise: find retransmissions and duplicate ACKs in a capture.
 *
 * When a segment is lost, the receiver keeps acknowledging the last byte it has in order:
 * the sender sees the same ACK again and again ("duplicate ACKs") and sends the missing
 * bytes once more (a "retransmission"). Wireshark marks both; write the analysis.
 *
 * Write `findRepeats(file)`: every retransmission and duplicate ACK in a pcap file, in
 * packet order. Use lib/packet to read the file: `tcpSegments(readPcap(file))` gives each
 * segment with relative sequence and acknowledgment numbers (chapter 1 and 2 showed how
 * they are counted). Keep track per connection (a new SYN starts a new one) and per side.
 *
 * - A retransmission uses only sequence numbers its sender has used before (remember
 *   that SYN and FIN use one each, RFC 9293 3.4). `of` is the earlier packet that first
 *   carried the sequence number it starts with.
 * - A duplicate ACK is what RFC 5681 section 2 defines as one: read its five conditions
 *   (a) to (e) there and apply each, from the point of view of the side that receives
 *   the ACK. `of` is the packet in which its sender first sent that acknowledgment number.
 *
 * Check your work with `deno task grade 02_tcp/retransmissions`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { readPcap, tcpSegments } from "../../lib/packet/mod.ts";

/** One segment that repeats an earlier one. */
export interface Finding {
  /** Position of its packet in the file, counted from 0. */
  packet: number;
  kind: "retransmission" | "duplicate-ack";
  /** The packet it repeats: the first sending of those bytes, or the first ACK of that number. */
  of: number;
}

/** Every retransmission and duplicate ACK, in packet order. */
export function findRepeats(file: Uint8Array): Finding[] {
  // TODO: for each segment: which connection and side; what sequence space it uses;
  // TODO: compare with what that side sent and acknowledged before.
  void [readPcap, tcpSegments];
  throw todo(`findRepeats(): analyse a ${file.length}-byte capture`);
}
