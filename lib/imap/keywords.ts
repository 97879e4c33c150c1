/**
 * IMAP keywords (RFC 3501 2.3.2: flags that do not start with "\", such as `$Forwarded`,
 * `$Junk` or Thunderbird's `$Label1`) stored the way Dovecot stores them in a Maildir, so
 * that Dovecot, mutt and mbsync read them back.
 *
 * A Maildir file name has room for flag letters only. Dovecot gives each keyword of a
 * folder one of the 26 lowercase letters and writes the table in the folder's
 * `dovecot-keywords` file, one keyword per line as `<index> <name>`, index 0 being the
 * letter `a`:
 *
 * ```text
 * 0 $Forwarded
 * 1 $Junk
 * ```
 *
 * A message file named `...:2,Sb` is then \Seen and $Junk. The 26 letters are a limit of
 * the format: a folder that has used them all refuses a 27th keyword.
 *
 * @module
 */

import { LIMITS } from "./constants.ts";

/** The file inside each Maildir folder (Dovecot's name). */
export const KEYWORDS_FILE = "dovecot-keywords";

/** Letters a folder can give keywords: a to z (LIMITS.maxKeywords). */
export const MAX_KEYWORDS: number = LIMITS.maxKeywords;

/**
 * A keyword's syntax (RFC 3501 9 `flag-keyword` = atom): ATOM-CHARs, not starting with
 * "\". Space, parentheses, "{", quotes, "%", "*", "]" and controls are not allowed.
 */
// deno-lint-ignore no-control-regex
const KEYWORD = /^[^\\\s(){%*"\]\x00-\x1f\x7f][^\s(){%*"\\\]\x00-\x1f\x7f]*$/;

/** Whether `name` can be a keyword. */
export function isKeyword(name: string): boolean {
  return KEYWORD.test(name);
}

/**
 * One folder's keyword table: name to letter and back. Names compare case-insensitively
 * (as Dovecot does); the first spelling is kept.
 *
 * @example
 * ```ts
 * import { KeywordTable } from "./keywords.ts";
 * const table = KeywordTable.parse("0 $Forwarded\n1 $Junk\n");
 * if (table.letterOf("$junk") !== "b" || table.nameOf("a") !== "$Forwarded") throw new Error("unexpected");
 * ```
 */
export class KeywordTable {
  /** Index (letter - "a") to name; holes are allowed in someone else's file. */
  readonly names: (string | undefined)[] = [];

  /** Parse a `dovecot-keywords` file; lines that are not `<index> <name>` are skipped. */
  static parse(text: string): KeywordTable {
    const table = new KeywordTable();
    for (const line of text.split("\n")) {
      const m = /^(\d{1,2}) (.+)$/.exec(line);
      if (!m || Number(m[1]) >= MAX_KEYWORDS || !isKeyword(m[2])) continue;
      table.names[Number(m[1])] = m[2];
    }
    return table;
  }

  /** The file's text. */
  format(): string {
    return this.names.map((name, i) => (name === undefined ? "" : `${i} ${name}\n`)).join("");
  }

  /** Every keyword, in letter order. */
  list(): string[] {
    return this.names.filter((n): n is string => n !== undefined);
  }

  /** The letter of a keyword, or null when the folder has not used it. */
  letterOf(name: string): string | null {
    const lower = name.toLowerCase();
    const i = this.names.findIndex((n) => n?.toLowerCase() === lower);
    return i < 0 ? null : String.fromCharCode(0x61 + i);
  }

  /** The keyword of a letter ("a" to "z"), or null. */
  nameOf(letter: string): string | null {
    return this.names[letter.charCodeAt(0) - 0x61] ?? null;
  }

  /**
   * The letter of a keyword, giving it the first free one if it has none. Returns null
   * when all 26 letters are taken.
   */
  assign(name: string): string | null {
    const known = this.letterOf(name);
    if (known) return known;
    for (let i = 0; i < MAX_KEYWORDS; i++) {
      if (this.names[i] === undefined) {
        this.names[i] = name;
        return String.fromCharCode(0x61 + i);
      }
    }
    return null;
  }
}

/** Read a folder's keyword table (empty when there is no file). */
export async function readKeywords(dir: string): Promise<KeywordTable> {
  try {
    return KeywordTable.parse(await Deno.readTextFile(`${dir}/${KEYWORDS_FILE}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new KeywordTable();
    throw error;
  }
}

let counter = 0;

/** Replace a folder's keyword table atomically. */
export async function writeKeywords(dir: string, table: KeywordTable): Promise<void> {
  const tmp = `${dir}/${KEYWORDS_FILE}.${Deno.pid}.${++counter}.tmp`;
  await Deno.writeTextFile(tmp, table.format(), { mode: 0o600 });
  await Deno.rename(tmp, `${dir}/${KEYWORDS_FILE}`);
}

/** A folder has given all 26 letters away: Dovecot's Maildir format has no room for more. */
export class KeywordLimitError extends Error {
  constructor(name: string) {
    super(
      `Cannot store keyword ${
        JSON.stringify(name)
      }: this folder already has ${MAX_KEYWORDS} keywords`,
    );
    this.name = "KeywordLimitError";
  }
}
