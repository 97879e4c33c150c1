/**
 * One captured frame, layer by layer: the receiving side of encapsulation.
 *
 * Each layer reads its own header and hands the rest to the layer above, as the notes
 * say: link header (says "IPv4 inside"), IPv4 header (says "TCP inside", and how long the
 * datagram is), TCP header (ports, sequence numbers, flags), then the application's bytes.
 * The byte range of every layer is kept so a hex view can colour them.
 *
 * @module
 */

import { PacketError } from "./errors.ts";
import { IP_PROTOCOL, type Ipv4Header, parseIpv4 } from "./ipv4.ts";
import { type LinkHeader, networkProtocol, parseLink } from "./link.ts";
import { parseTcp, type TcpHeader } from "./tcp.ts";

/** Names of the byte ranges in a frame. */
export type LayerName = "link" | "ipv4" | "tcp" | "payload" | "trailer";

/** Where one layer's bytes are in the frame: `start` inclusive, `end` exclusive. */
export interface Layer {
  name: LayerName;
  /** What a legend shows: "Ethernet header", "IPv4 header"... */
  label: string;
  start: number;
  end: number;
}

/** A frame taken apart. */
export interface Frame {
  link: LinkHeader;
  /** Null when the frame does not carry IPv4 (ARP, IPv6...). */
  ip: Ipv4Header | null;
  /** Null when the IPv4 datagram does not carry TCP (or is a later fragment). */
  tcp: TcpHeader | null;
  /** The bytes above the last header understood: the application's data for TCP. */
  payload: Uint8Array;
  /** Byte ranges of each layer, in order. */
  layers: Layer[];
  /** True when the capture kept fewer bytes than the IP header says the datagram has. */
  truncated: boolean;
}

const LINK_LABEL: Record<LinkHeader["kind"], string> = {
  ethernet: "Ethernet header",
  "linux-sll": "Linux cooked header",
  null: "BSD loopback header",
  raw: "no link header",
};

/**
 * Take a frame apart. Checksums are checked and reported in `ip.checksumStatus` and
 * `tcp.checksumStatus`; they never make the frame disappear.
 *
 * @param data the frame as captured (starting with the link header)
 * @param linkType the capture file's link type ({@linkcode LINKTYPE})
 * @throws {PacketError} naming the layer, field and offset of the first thing that
 *   cannot be read.
 *
 * @example A loopback frame built from parts, dissected again
 * ```ts
 * import { buildIpv4 } from "./ipv4.ts";
 * import { buildLink, LOOPBACK_ETHERNET } from "./link.ts";
 * import { buildTcp } from "./tcp.ts";
 * import { dissectFrame } from "./dissect.ts";
 * const addresses = { source: "127.0.0.1", destination: "127.0.0.1" };
 * const tcp = buildTcp({ sourcePort: 25, destinationPort: 40000, flags: { ack: true, psh: true } },
 *   new TextEncoder().encode("220 ready\r\n"), addresses);
 * const frame = new Uint8Array([...buildLink(LOOPBACK_ETHERNET), ...buildIpv4(addresses, tcp)]);
 * const f = dissectFrame(frame, 1);
 * if (f.tcp?.sourcePort !== 25 || f.layers.map((l) => l.name).join() !== "link,ipv4,tcp,payload") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function dissectFrame(data: Uint8Array, linkType: number): Frame {
  const link = parseLink(data, linkType);
  const layers: Layer[] = [];
  const linkEnd = link.headerLength;
  if (linkEnd > 0) {
    layers.push({ name: "link", label: LINK_LABEL[link.kind], start: 0, end: linkEnd });
  }
  const rest = (from: number, label: string): Frame => {
    if (from < data.length) layers.push({ name: "payload", label, start: from, end: data.length });
    return { link, ip: null, tcp: null, payload: data.slice(from), layers, truncated: false };
  };
  if (networkProtocol(link, data[linkEnd]) !== "ipv4") return rest(linkEnd, "not IPv4");

  const ip = parseIpv4(data, linkEnd);
  const ipEnd = linkEnd + ip.totalLength; // where the datagram ends (padding may follow)
  const captured = Math.min(ipEnd, data.length);
  const truncated = ipEnd > data.length;
  const ipHeaderEnd = linkEnd + ip.headerLength;
  layers.push({ name: "ipv4", label: "IPv4 header", start: linkEnd, end: ipHeaderEnd });
  const trailer = () => {
    if (ipEnd < data.length) {
      layers.push({ name: "trailer", label: "link padding", start: ipEnd, end: data.length });
    }
  };

  if (ip.protocol !== IP_PROTOCOL.TCP || ip.fragmentOffset !== 0) {
    if (ipHeaderEnd < captured) {
      layers.push({ name: "payload", label: "IP payload", start: ipHeaderEnd, end: captured });
    }
    trailer();
    return { link, ip, tcp: null, payload: data.slice(ipHeaderEnd, captured), layers, truncated };
  }

  let tcp: TcpHeader;
  try {
    tcp = parseTcp(data, {
      at: ipHeaderEnd,
      end: captured,
      source: ip.source,
      destination: ip.destination,
      segmentLength: ip.totalLength - ip.headerLength,
    });
  } catch (error) {
    if (error instanceof PacketError && truncated && error.field.startsWith("header")) {
      throw new PacketError(
        "TCP",
        error.field,
        error.offset,
        "was cut off by the capture's snapshot length",
      );
    }
    throw error;
  }
  const tcpEnd = ipHeaderEnd + tcp.headerLength;
  layers.push({ name: "tcp", label: "TCP header", start: ipHeaderEnd, end: tcpEnd });
  if (tcpEnd < captured) {
    layers.push({ name: "payload", label: "application data", start: tcpEnd, end: captured });
  }
  trailer();
  return { link, ip, tcp, payload: data.slice(tcpEnd, captured), layers, truncated };
}
