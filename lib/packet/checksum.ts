/**
 * The Internet checksum: RFC 1071's one's-complement sum of 16-bit words.
 *
 * IPv4 (RFC 791 3.1), TCP (RFC 9293 3.1) and UDP all use it. Add the data as big-endian
 * 16-bit words (an odd last byte is padded with a zero byte), fold every carry out of
 * bit 15 back into bit 0 ("end-around carry"), and send the complement of the sum. A
 * receiver sums everything, checksum field included, and gets 0xffff when nothing changed.
 *
 * @module
 */

/**
 * The one's-complement sum of `data`'s 16-bit words, folded to 16 bits, NOT complemented.
 * Pass `initial` to continue a sum (the TCP pseudo-header, then the segment).
 *
 * @example RFC 1071 section 3's worked example
 * ```ts
 * import { onesComplementSum } from "./checksum.ts";
 * const sum = onesComplementSum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
 * if (sum !== 0xddf2) throw new Error(sum.toString(16));
 * ```
 */
export function onesComplementSum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = data.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length & 1) sum += data[data.length - 1] << 8; // pad the odd byte with zero
  // End-around carry: what overflowed bit 15 is added back at bit 0.
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * The checksum to send: the complement of the one's-complement sum of all `parts`.
 *
 * @example RFC 1071's example bytes checksum to 0x220d
 * ```ts
 * import { internetChecksum } from "./checksum.ts";
 * const c = internetChecksum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
 * if (c !== 0x220d) throw new Error(c.toString(16));
 * ```
 */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const part of parts) {
    // A part after an odd-length part would shift byte positions; the callers in this
    // course pass even-length parts before the last one (headers are multiples of 4).
    if (odd) throw new RangeError("Cannot checksum: only the last part may have odd length");
    sum = onesComplementSum(part, sum);
    odd = (part.length & 1) === 1;
  }
  return ~sum & 0xffff;
}
