// Mistake: wraps the course library's checksum instead of computing it.
import { ipv4Checksum } from "../../../lib/packet/ipv4.ts";

/** The checksum this IPv4 header should carry, by the library. */
export function ipv4HeaderChecksum(header: Uint8Array): number {
  return ipv4Checksum(header);
}

/** Whether the checksum field of `header` matches its contents. */
export function ipv4HeaderValid(header: Uint8Array): boolean {
  return ipv4Checksum(header) === ((header[10] << 8) | header[11]);
}
