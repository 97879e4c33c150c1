// Mistake: drops the carries (sum & 0xffff) instead of folding them back in.
export function ipv4HeaderChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) {
    if (i === 10) continue;
    sum += (header[i] << 8) | header[i + 1];
  }
  return ~(sum & 0xffff) & 0xffff;
}

export function ipv4HeaderValid(header: Uint8Array): boolean {
  return ipv4HeaderChecksum(header) === ((header[10] << 8) | header[11]);
}
