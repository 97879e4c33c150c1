/**
 * UIDs that survive restarts (RFC 3501 2.3.1.1): UIDVALIDITY, UIDNEXT and the map from
 * Maildir message ids to UIDs, kept in a small file inside the Maildir folder, like
 * Dovecot's `dovecot-uidlist`.
 *
 * The file is `course-uidlist`:
 *
 * ```text
 * course-uidlist 1 <uidvalidity> <uidnext> <first recent uid>
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
  /**
   * Messages from this UID on are \Recent (RFC 3501 2.3.2): no session has been told
   * about them yet. The first session to SELECT the folder (or to see them arrive while
   * it has the folder selected) moves it to uidNext. Dovecot keeps the same number in its
   * index.
   */
  firstRecentUid: number;
  /** Maildir id to UID. */
  uids: Map<string, number>;
}

/** A fresh list with the given UIDVALIDITY (see {@linkcode nextUidValidity}). */
export function newUidList(uidValidity: number): UidList {
  return { uidValidity, uidNext: 1, firstRecentUid: 1, uids: new Map() };
}

/** The file at the Maildir root that remembers the last UIDVALIDITY handed out. */
export const UIDVALIDITY_FILE = "course-uidvalidity";

const validityQueue = new Map<string, Promise<number>>();
let counter = 0; // temporary file names

/**
 * A UIDVALIDITY for a new folder of the Maildir at `root`: the clock in seconds, as
 * Dovecot does, but always above the last one handed out in this Maildir (kept in
 * `course-uidvalidity`, like Dovecot's `dovecot-uidvalidity`). A folder deleted and
 * created again within the same second must not get its old value back, or a client
 * would keep its cached UIDs for messages that are gone (RFC 3501 2.3.1.1).
 */
export function nextUidValidity(root: string, now: Date = new Date()): Promise<number> {
  const run = async () => {
    const path = `${root}/${UIDVALIDITY_FILE}`;
    const last = Number((await Deno.readTextFile(path).catch(() => "0")).trim()) || 0;
    const value = Math.min(0xffffffff, Math.max(Math.floor(now.getTime() / 1000), last + 1));
    const tmp = `${path}.${Deno.pid}.${++counter}.tmp`;
    await Deno.writeTextFile(tmp, `${value}\n`, { mode: 0o600 });
    await Deno.rename(tmp, path);
    return value;
  };
  const next = (validityQueue.get(root) ?? Promise.resolve(0)).then(run, run);
  validityQueue.set(root, next);
  next.finally(() => {
    if (validityQueue.get(root) === next) validityQueue.delete(root);
  }).catch(() => {});
  return next;
}

/**
 * Parse the file's text; null when it is not a uidlist (then a new one is started).
 *
 * @example
 * ```ts
 * import { formatUidList, parseUidList } from "./uidlist.ts";
 * const list = { uidValidity: 7, uidNext: 3, firstRecentUid: 2, uids: new Map([["a", 1], ["b", 2]]) };
 * const back = parseUidList(formatUidList(list));
 * if (back?.uids.get("b") !== 2 || back.uidNext !== 3 || back.firstRecentUid !== 2) throw new Error("unexpected");
 * ```
 */
export function parseUidList(text: string): UidList | null {
  const lines = text.split("\n");
  const head = /^course-uidlist 1 (\d+) (\d+)(?: (\d+))?$/.exec(lines[0] ?? "");
  if (!head) return null;
  const list: UidList = {
    uidValidity: Number(head[1]),
    uidNext: Number(head[2]),
    // Files written before \Recent was kept here: nothing listed is recent any more.
    firstRecentUid: Number(head[3] ?? head[2]),
    uids: new Map(),
  };
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
  const head = `course-uidlist 1 ${list.uidValidity} ${list.uidNext} ${list.firstRecentUid}`;
  return [head, ...rows, ""].join("\n");
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
