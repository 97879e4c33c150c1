/**
 * IMAP flags and Maildir info letters (RFC 3501 2.3.2; the maildir spec's ":2,FLAGS"):
 * system flags have fixed uppercase letters, keywords get lowercase letters from the
 * folder's keyword table (keywords.ts, Dovecot's `dovecot-keywords`).
 *
 * @module
 */

import { FLAG_LETTER, type StoredFlag } from "./constants.ts";
import type { KeywordTable } from "./keywords.ts";

const BY_LETTER = new Map<string, string>(Object.entries(FLAG_LETTER).map(([f, l]) => [l, f]));
const CANONICAL = new Map(Object.keys(FLAG_LETTER).map((f) => [f.toLowerCase(), f as StoredFlag]));

/** Letters IMAP controls: the system flags' and the keywords' (a to z). */
export function isImapLetter(letter: string): boolean {
  return BY_LETTER.has(letter) || (letter >= "a" && letter <= "z");
}

/**
 * IMAP flags of a Maildir letter string: system flags in IMAP order, then the keywords
 * the table names. Letters we do not map (P passed, a keyword letter missing from the
 * table) are kept on disk by {@linkcode toLetters} but not shown.
 *
 * @example
 * ```ts
 * import { fromLetters } from "./flags.ts";
 * import { KeywordTable } from "./keywords.ts";
 * const flags = fromLetters("FSa", KeywordTable.parse("0 $Junk\n"));
 * if (flags.join(" ") !== "\\Seen \\Flagged $Junk") throw new Error(flags.join(" "));
 * ```
 */
export function fromLetters(letters: string, keywords?: KeywordTable): string[] {
  const flags: string[] = (Object.keys(FLAG_LETTER) as StoredFlag[]).filter((f) =>
    letters.includes(FLAG_LETTER[f])
  );
  if (keywords) {
    for (const letter of letters) {
      const name = letter >= "a" && letter <= "z" ? keywords.nameOf(letter) : null;
      if (name !== null) flags.push(name);
    }
  }
  return flags;
}

/** The canonical spelling of a system flag (flags are case-insensitive), or null for keywords. */
export function canonicalFlag(flag: string): StoredFlag | null {
  return CANONICAL.get(flag.toLowerCase()) ?? null;
}

/**
 * Maildir letters for a set of IMAP flags, keeping letters of `previous` that IMAP does
 * not control (P), sorted as the maildir spec asks. Keywords become the letters the
 * table gives them; keywords the table does not know are left out (assign them first).
 *
 * @example
 * ```ts
 * import { toLetters } from "./flags.ts";
 * if (toLetters(["\\Seen", "\\Deleted"], "P") !== "PST") throw new Error("unexpected");
 * ```
 */
export function toLetters(
  flags: Iterable<string>,
  previous = "",
  keywords?: KeywordTable,
): string {
  const letters = new Set([...previous].filter((l) => !isImapLetter(l)));
  for (const flag of flags) {
    const canonical = canonicalFlag(flag);
    if (canonical) letters.add(FLAG_LETTER[canonical]);
    else if (keywords && !flag.startsWith("\\")) {
      const letter = keywords.letterOf(flag);
      if (letter) letters.add(letter);
    }
  }
  return [...letters].sort().join("");
}
