// Mistake: reads the ports little-endian (host order) instead of network order.
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
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const ip = 14; // Ethernet header
  const ipHeaderLength = (frame[ip] & 0x0f) * 4; // IHL, in 32-bit words
  const ipEnd = ip + view.getUint16(ip + 2); // total length
  const tcp = ip + ipHeaderLength;
  const tcpHeaderLength = (frame[tcp + 12] >> 4) * 4; // data offset, in 32-bit words
  const flags = frame[tcp + 13];
  return {
    sourcePort: view.getUint16(tcp, true),
    destinationPort: view.getUint16(tcp + 2, true),
    seq: view.getUint32(tcp + 4), // getUint32 is unsigned and big-endian
    ack: view.getUint32(tcp + 8),
    flags: {
      syn: (flags & 0x02) !== 0,
      ack: (flags & 0x10) !== 0,
      fin: (flags & 0x01) !== 0,
      rst: (flags & 0x04) !== 0,
      psh: (flags & 0x08) !== 0,
    },
    payload: new TextDecoder().decode(frame.subarray(tcp + tcpHeaderLength, ipEnd)),
  };
}
