/**
 * Loopback frames built from parts, for tests (ours and chapter 2's).
 *
 * @module
 */

import { buildIpv4 } from "./ipv4.ts";
import { buildLink, LOOPBACK_ETHERNET } from "./link.ts";
import { buildTcp, type TcpFields } from "./tcp.ts";

/** IPv4 header fields a test may set. */
export interface FrameIpFields {
  source?: string;
  destination?: string;
  identification?: number;
  ttl?: number;
}

/**
 * An Ethernet/IPv4/TCP frame as `tcpdump -i lo` records it, checksums correct.
 *
 * @example
 * ```ts
 * import { loopbackFrame } from "./test_frames.ts";
 * const frame = loopbackFrame({ sourcePort: 1, destinationPort: 2 }, "hi");
 * if (frame.length !== 14 + 20 + 20 + 2) throw new Error("unexpected");
 * ```
 */
export function loopbackFrame(
  tcp: TcpFields,
  payload: string | Uint8Array = "",
  ip: FrameIpFields = {},
): Uint8Array {
  const addresses = {
    source: ip.source ?? "127.0.0.1",
    destination: ip.destination ?? "127.0.0.1",
  };
  const data = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const segment = buildTcp(tcp, data, addresses);
  const packet = buildIpv4(
    { ...addresses, identification: ip.identification, ttl: ip.ttl },
    segment,
  );
  const link = buildLink(LOOPBACK_ETHERNET);
  const frame = new Uint8Array(link.length + packet.length);
  frame.set(link);
  frame.set(packet, link.length);
  return frame;
}
