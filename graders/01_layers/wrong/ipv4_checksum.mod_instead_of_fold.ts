// Mistake: takes the sum modulo 0xffff instead of folding, which differs when the sum is a multiple of 0xffff.
/**
 * The checksum this IPv4 header should carry. `header` is exactly the header (20 to 60
 * bytes); its checksum field may already hold a value, which must not count.
 */
export function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) {
    if (i === 10) continue; // the checksum field counts as zero
    sum += (header[i] << 8) | header[i + 1];
  }
  sum = sum % 0xffff;
  return ~sum & 0xffff;
}

/** Whether the checksum field of `header` matches its contents. */
export function ipv4HeaderValid(header: Uint8Array): boolean {
  return ipv4HeaderChecksum(header) === ((header[10] << 8) | header[11]);
}
