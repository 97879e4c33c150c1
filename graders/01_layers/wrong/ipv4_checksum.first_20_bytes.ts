// Mistake: always sums 20 bytes, leaving out the options of a longer header.
export function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) {
    if (i === 10) continue;
    sum += (header[i] << 8) | header[i + 1];
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4HeaderValid(header: Uint8Array): boolean {
  return ipv4HeaderChecksum(header) === ((header[10] << 8) | header[11]);
}
