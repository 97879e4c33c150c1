/**
 * IMAP flags and Maildir info letters (RFC 3501 2.3.2; the maildir spec's ":2,FLAGS").
 *
 * @module
 */

import { FLAG_LETTER, type StoredFlag } from "./constants.ts";

const BY_LETTER = new Map<string, string>(Object.entries(FLAG_LETTER).map(([f, l]) => [l, f]));
const CANONICAL = new Map(Object.keys(FLAG_LETTER).map((f) => [f.toLowerCase(), f as StoredFlag]));

/**
 * IMAP flags of a Maildir letter string, in IMAP order. Letters we do not map (P passed)
 * are kept by {@linkcode toLetters} but not shown.
 *
 * @example
 * ```ts
 * import { fromLetters } from "./flags.ts";
 * if (fromLetters("FS").join(" ") !== "\\Seen \\Flagged") throw new Error("unexpected");
 * ```
 */
export function fromLetters(letters: string): StoredFlag[] {
  return (Object.keys(FLAG_LETTER) as StoredFlag[]).filter((f) => letters.includes(FLAG_LETTER[f]));
}

/** The canonical spelling of a system flag (flags are case-insensitive), or null for keywords. */
export function canonicalFlag(flag: string): StoredFlag | null {
  return CANONICAL.get(flag.toLowerCase()) ?? null;
}

/**
 * Maildir letters for a set of IMAP flags, keeping letters of `previous` that IMAP does
 * not control (P), sorted as the maildir spec asks.
 *
 * @example
 * ```ts
 * import { toLetters } from "./flags.ts";
 * if (toLetters(["\\Seen", "\\Deleted"], "P") !== "PST") throw new Error("unexpected");
 * ```
 */
export function toLetters(flags: Iterable<string>, previous = ""): string {
  const letters = new Set([...previous].filter((l) => !BY_LETTER.has(l)));
  for (const flag of flags) {
    const canonical = canonicalFlag(flag);
    if (canonical) letters.add(FLAG_LETTER[canonical]);
  }
  return [...letters].sort().join("");
}
