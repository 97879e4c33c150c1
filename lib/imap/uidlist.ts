/**
 * UIDs that survive restarts (RFC 3501 2.3.1.1): UIDVALIDITY, UIDNEXT and the map from
 * Maildir message ids to UIDs, kept in a small file inside the Maildir folder, like
 * Dovecot's `dovecot-uidlist`.
 *
 * The file is `course-uidlist`:
 *
 * ```text
 * course-uidlist 1 <uidvalidity> <uidnext>
 * <uid> <maildir id>
 * ...
 * ```
 *
 * It is replaced atomically (write a temporary file, flush it, rename it over the old
 * one), so a crash leaves either the old or the new map, never half of one. Losing it
 * is survivable: a fresh UIDVALIDITY tells clients to forget their cached UIDs.
 *
 * @module
 */

/** The file name inside each Maildir folder. */
export const UIDLIST_FILE = "course-uidlist";

/** UID state of one folder. */
export interface UidList {
  /** RFC 3501 2.3.1.1: changes only if UIDs cannot be kept. */
  uidValidity: number;
  /** The UID the next new message gets. */
  uidNext: number;
  /** Maildir id to UID. */
  uids: Map<string, number>;
}

/** A fresh list: UIDVALIDITY from the clock (seconds), as Dovecot does, so it never repeats. */
export function newUidList(now: Date = new Date()): UidList {
  return {
    uidValidity: Math.max(1, Math.floor(now.getTime() / 1000)),
    uidNext: 1,
    uids: new Map(),
  };
}

/**
 * Parse the file's text; null when it is not a uidlist (then a new one is started).
 *
 * @example
 * ```ts
 * import { formatUidList, parseUidList } from "./uidlist.ts";
 * const list = { uidValidity: 7, uidNext: 3, uids: new Map([["a", 1], ["b", 2]]) };
 * const back = parseUidList(formatUidList(list));
 * if (back?.uids.get("b") !== 2 || back.uidNext !== 3) throw new Error("unexpected");
 * ```
 */
export function parseUidList(text: string): UidList | null {
  const lines = text.split("\n");
  const head = /^course-uidlist 1 (\d+) (\d+)$/.exec(lines[0] ?? "");
  if (!head) return null;
  const list: UidList = { uidValidity: Number(head[1]), uidNext: Number(head[2]), uids: new Map() };
  for (const line of lines.slice(1)) {
    const m = /^(\d+) (\S+)$/.exec(line);
    if (!m) continue;
    const uid = Number(m[1]);
    list.uids.set(m[2], uid);
    if (uid >= list.uidNext) list.uidNext = uid + 1; // never hand out a UID twice
  }
  return list;
}

/** The file's text. */
export function formatUidList(list: UidList): string {
  const rows = [...list.uids].sort((a, b) => a[1] - b[1]).map(([id, uid]) => `${uid} ${id}`);
  return [`course-uidlist 1 ${list.uidValidity} ${list.uidNext}`, ...rows, ""].join("\n");
}

/** Read a folder's uidlist, or null when there is none (or it is unreadable). */
export async function readUidList(dir: string): Promise<UidList | null> {
  try {
    return parseUidList(await Deno.readTextFile(`${dir}/${UIDLIST_FILE}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

let counter = 0;

/** Replace a folder's uidlist atomically. */
export async function writeUidList(dir: string, list: UidList): Promise<void> {
  const tmp = `${dir}/${UIDLIST_FILE}.${Deno.pid}.${++counter}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
  try {
    const bytes = new TextEncoder().encode(formatUidList(list));
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, `${dir}/${UIDLIST_FILE}`);
}
