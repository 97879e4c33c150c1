/**
 * One error type for every layer of a packet.
 *
 * A dissector that meets bad bytes must say where: which layer, which field, at which
 * byte offset (counted from the start of the frame or file, as a hex dump shows it).
 * Learners compare the message with the hex view and find the byte.
 *
 * @module
 */

/** Bad or truncated bytes: names the layer, the field and the byte offset. */
export class PacketError extends Error {
  /** The layer being read: `"pcap"`, `"Ethernet"`, `"IPv4"`, `"TCP"`... */
  readonly layer: string;
  /** The field that could not be read. */
  readonly field: string;
  /** Byte offset of that field, from the start of the frame (or file, for pcap). */
  readonly offset: number;

  constructor(layer: string, field: string, offset: number, problem: string) {
    super(`Cannot read ${layer}: ${field} ${problem} at offset ${offset}`);
    this.name = "PacketError";
    this.layer = layer;
    this.field = field;
    this.offset = offset;
  }
}

/**
 * Throw unless `data` holds `length` bytes from `at`.
 *
 * @example
 * ```ts
 * import { need } from "./errors.ts";
 * need(new Uint8Array(20), 0, 20, "TCP", "header"); // fine
 * ```
 */
export function need(
  data: Uint8Array,
  at: number,
  length: number,
  layer: string,
  field: string,
  end = data.length,
): void {
  const available = Math.max(0, end - at);
  if (available < length) {
    throw new PacketError(
      layer,
      field,
      at,
      `truncated (needs ${length} bytes, ${available} left)`,
    );
  }
}
