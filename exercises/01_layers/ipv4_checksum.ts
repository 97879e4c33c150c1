/**
 * Exercise: the IPv4 header checksum (RFC 791 3.1, computed as RFC 1071 explains).
 *
 * Every IPv4 header carries a 16-bit checksum over the header alone. To compute it:
 *
 * 1. take the header (IHL * 4 bytes: 20, or more with options) with its checksum field
 *    (bytes 10 and 11) treated as zero;
 * 2. add it up as big-endian 16-bit words (`(b[i] << 8) | b[i + 1]`);
 * 3. fold every carry above 16 bits back into the low 16 bits ("end-around carry")
 *    until the sum fits in 16 bits;
 * 4. the checksum is the complement of that sum, kept to 16 bits (`~sum & 0xffff`).
 *
 * A receiver can check a header without zeroing anything: the sum of all its words,
 * checksum included, folds to 0xffff.
 *
 * Check your work with `deno task grade 01_layers`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/**
 * The checksum this IPv4 header should carry. `header` is exactly the header (20 to 60
 * bytes); its checksum field may already hold a value, which must not count.
 */
export function ipv4HeaderChecksum(header: Uint8Array): number {
  // TODO: sum the 16-bit words with bytes 10-11 taken as zero, fold the carries, complement.
  throw todo(`ipv4HeaderChecksum(): checksum ${header.length} header bytes`);
}

/** Whether the checksum field of `header` matches its contents. */
export function ipv4HeaderValid(header: Uint8Array): boolean {
  // TODO: compare the stored field with what ipv4HeaderChecksum() computes (or sum to 0xffff).
  throw todo(`ipv4HeaderValid(): check ${header.length} header bytes`);
}
