/**
 * Packets as bytes: pcap capture files, the loopback link layer, IPv4 and TCP headers
 * with their checksums, a frame dissector, TCP segment lists with relative sequence
 * numbers, a coloured hex view, and live loopback capture with tcpdump.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./checksum.ts";
export * from "./pcap.ts";
export * from "./link.ts";
export * from "./ipv4.ts";
export * from "./tcp.ts";
export * from "./dissect.ts";
export * from "./segments.ts";
export * from "./hexview.ts";
export * from "./capture.ts";
export * from "./scripted_smtp.ts";
