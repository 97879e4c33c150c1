// Mistake: reads the 16-bit words little-endian (host order on x86), not network order.
export function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) {
    if (i === 10) continue;
    sum += header[i] | (header[i + 1] << 8);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4HeaderValid(header: Uint8Array): boolean {
  return ipv4HeaderChecksum(header) === ((header[10] << 8) | header[11]);
}
