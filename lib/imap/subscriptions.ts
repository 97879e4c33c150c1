/**
 * The subscription list (RFC 3501 6.3.6, 6.3.7, 6.3.9): which mailbox names a user wants
 * LSUB to show, kept in `course-subscriptions` at the root of the user's Maildir.
 *
 * The file is one name per line, each written as a JSON string: a name can hold no raw
 * line break, so no name can add a line of its own ("x\nForged" is written as
 * `"x\nForged"` on one line). Names are also checked like folder names before they are
 * stored (no CR, LF, NUL or other control characters, as CREATE refuses them), and a
 * line that does not read back as a valid name is ignored rather than listed.
 *
 * @module
 */

import { checkFolderName } from "../maildir/mod.ts";

/** The file name at the Maildir root. */
export const SUBSCRIPTIONS_FILE = "course-subscriptions";

/**
 * Parse the file's text into names; malformed lines are skipped.
 *
 * @example
 * ```ts
 * import { formatSubscriptions, parseSubscriptions } from "./subscriptions.ts";
 * const names = parseSubscriptions(formatSubscriptions(new Set(["Sent", "Archive/2024"])));
 * if (!names.has("Archive/2024") || names.size !== 2) throw new Error("unexpected");
 * ```
 */
export function parseSubscriptions(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    let name: unknown = line;
    if (line.startsWith('"')) {
      try {
        name = JSON.parse(line);
      } catch {
        continue;
      }
    }
    if (typeof name !== "string") continue;
    try {
      names.add(checkFolderName(name));
    } catch {
      // not a name we would have written: ignore it
    }
  }
  return names;
}

/** The file's text: sorted names, one JSON string per line. */
export function formatSubscriptions(names: Iterable<string>): string {
  return [...names].sort().map((name) => JSON.stringify(name) + "\n").join("");
}

/** Read a user's subscriptions (none when the file does not exist). */
export async function readSubscriptions(root: string): Promise<Set<string>> {
  try {
    return parseSubscriptions(await Deno.readTextFile(`${root}/${SUBSCRIPTIONS_FILE}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Set();
    throw error;
  }
}

/** Replace a user's subscriptions atomically (write a temporary file, rename it over). */
export async function writeSubscriptions(root: string, names: Iterable<string>): Promise<void> {
  const path = `${root}/${SUBSCRIPTIONS_FILE}`;
  const tmp = `${path}.${Deno.pid}.${++counter}.tmp`;
  await Deno.writeTextFile(tmp, formatSubscriptions(names), { mode: 0o600 });
  await Deno.rename(tmp, path);
}

let counter = 0;
