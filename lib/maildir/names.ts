/**
 * Folder and user names, checked before they become paths.
 *
 * A mailbox name arrives from the network (IMAP `CREATE`, a POP3 `USER`), and in a
 * Maildir it turns into a directory name. Every name is therefore checked against the
 * path tricks that would let it escape the store: `..`, `/`, `\`, NUL, control
 * characters, a leading `.`, the empty name and names longer than a directory entry may
 * be (255 bytes on Linux file systems).
 *
 * Folder names use `/` as the hierarchy separator ("Archive/2024"). Maildir++ (the
 * layout of Courier, Dovecot and mbsync's `SubFolders Maildir++`) stores a folder as a
 * directory `.` + the names joined with `.`: "Archive/2024" is `.Archive.2024`. So a
 * literal `.` inside a folder name cannot be stored unambiguously: this module refuses
 * it (Dovecot's Maildir++ layout does the same, since `.` is its separator). Names are
 * stored as UTF-8 as given; converting IMAP's modified UTF-7 is the IMAP server's job.
 *
 * @module
 */

/** The folder at the root of a Maildir (RFC 3501 5.1: the name is case-insensitive). */
export const INBOX = "INBOX";

/** The longest directory entry name, in bytes (NAME_MAX on Linux). */
export const MAX_NAME_BYTES = 255;

/** Thrown for a folder or user name that is unsafe or cannot be stored. */
export class MailboxNameError extends Error {
  /** The name that was refused. */
  readonly mailboxName: string;
  constructor(name: string, reason: string) {
    super(`Cannot use mailbox name ${JSON.stringify(name)}: ${reason}`);
    this.name = "MailboxNameError";
    this.mailboxName = name;
  }
}

const encoder = new TextEncoder();

/** Why `part` (one level of a folder name, or a user name) is unsafe, or null. */
function unsafeReason(part: string, what: string): string | null {
  if (part === "") return `${what} is empty`;
  if (part === "." || part === "..") return `${what} is "${part}"`;
  if (part.includes("\0")) return `${what} contains NUL`;
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(part)) return `${what} contains a control character`;
  if (part.includes("\\")) return `${what} contains "\\"`;
  if (part.startsWith(".")) return `${what} starts with "."`;
  return null;
}

/** Is this name the INBOX (in any letter case)? */
export function isInbox(name: string): boolean {
  return name.toUpperCase() === INBOX;
}

/**
 * Check a folder name and return its canonical form ("INBOX" for any casing of it).
 *
 * @throws {MailboxNameError} the name is unsafe or contains a literal ".".
 *
 * @example
 * ```ts
 * import { checkFolderName } from "./names.ts";
 * if (checkFolderName("inbox") !== "INBOX") throw new Error("unexpected");
 * if (checkFolderName("Archive/2024") !== "Archive/2024") throw new Error("unexpected");
 * ```
 */
export function checkFolderName(name: string): string {
  if (typeof name !== "string") throw new MailboxNameError(String(name), "it is not a string");
  if (isInbox(name)) return INBOX;
  const parts = name.split("/");
  for (const part of parts) {
    const reason = unsafeReason(part, parts.length > 1 ? "a level of the hierarchy" : "it");
    if (reason) throw new MailboxNameError(name, reason);
    if (part.includes(".")) {
      throw new MailboxNameError(
        name,
        'it contains ".", the Maildir++ hierarchy separator (use "/" for sub-folders)',
      );
    }
  }
  if (isInbox(parts[0])) {
    throw new MailboxNameError(name, "folders below INBOX are not supported in Maildir++");
  }
  if (encoder.encode(folderDirName(name)).length > MAX_NAME_BYTES) {
    throw new MailboxNameError(name, `it is longer than ${MAX_NAME_BYTES} bytes on disk`);
  }
  return name;
}

/** The Maildir++ directory name of a checked folder name: "A/B" is ".A.B", INBOX is "". */
export function folderDirName(name: string): string {
  return isInbox(name) ? "" : "." + name.split("/").join(".");
}

/**
 * The folder name of a Maildir++ directory entry, or null when the entry is not a
 * folder we can name (not starting with ".", or decoding to an unsafe name).
 *
 * @example
 * ```ts
 * import { folderFromDirName } from "./names.ts";
 * if (folderFromDirName(".Archive.2024") !== "Archive/2024") throw new Error("unexpected");
 * if (folderFromDirName("cur") !== null) throw new Error("unexpected");
 * ```
 */
export function folderFromDirName(dirName: string): string | null {
  if (!dirName.startsWith(".") || dirName.length < 2) return null;
  const name = dirName.slice(1).split(".").join("/");
  try {
    return checkFolderName(name) === INBOX ? null : name;
  } catch {
    return null;
  }
}

/**
 * Check a user name for {@linkcode MailStore}: one directory level, so "." is allowed
 * inside ("john.doe") but not at the start, and "/" is refused.
 *
 * @throws {MailboxNameError} the name is unsafe.
 */
export function checkUserName(user: string): string {
  if (typeof user !== "string") throw new MailboxNameError(String(user), "it is not a string");
  const reason = unsafeReason(user, "it") ?? (user.includes("/") ? 'it contains "/"' : null);
  if (reason) throw new MailboxNameError(user, reason);
  if (encoder.encode(user).length > MAX_NAME_BYTES) {
    throw new MailboxNameError(user, `it is longer than ${MAX_NAME_BYTES} bytes`);
  }
  return user;
}
