/**
 * Byte arrays joined end to end: a message or a response assembled from pieces (headers
 * prepended, parts re-encoded, literals between lines) before it is stored or written in
 * one go.
 *
 * @module
 */

/**
 * `chunks` copied one after another into one new array.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * const e = new TextEncoder();
 * const joined = new TextDecoder().decode(concatBytes([e.encode("ab"), e.encode("c")]));
 * if (joined !== "abc") throw new Error(joined);
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
