/**
 * Message-ID (RFC 5322 3.6.4): `<left@right>`, globally unique. The left part here is
 * the time in base 36 and 96 random bits; the right part a domain name the sender
 * controls, so that no other host can produce the same id.
 *
 * @module
 */

/**
 * A new Message-ID, angle brackets included.
 *
 * @throws {TypeError} the domain is not a plain dot-atom.
 *
 * @example
 * ```ts
 * import { generateMessageId } from "./message_id.ts";
 * const id = generateMessageId("example.org");
 * if (!/^<[a-z0-9]+\.[a-z0-9]+@example\.org>$/.test(id)) throw new Error(id);
 * ```
 */
export function generateMessageId(domain = "localhost"): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/.test(domain)) {
    throw new TypeError(`Cannot generate Message-ID: ${JSON.stringify(domain)} is not a domain`);
  }
  const random = crypto.getRandomValues(new Uint8Array(12));
  const randomPart = [...random].map((b) => b.toString(36).padStart(2, "0")).join("");
  return `<${Date.now().toString(36)}.${randomPart}@${domain}>`;
}
