/**
 * One mailbox tree in Maildir++ layout: what Dovecot, Courier, mutt and mbsync read.
 *
 * `root/{tmp,new,cur}` is the INBOX; a folder "Sent" is `root/.Sent/{tmp,new,cur}`; the
 * hierarchy "Archive/2024" is `root/.Archive.2024` (see names.ts for the rules).
 *
 * Delivery follows D. J. Bernstein's maildir spec: write the message to tmp/ under a
 * unique name, flush it to disk, link it into new/ (a client has not seen it yet) or,
 * when flags are given, into cur/ as `name:2,FLAGS`, then flush the directory so the new
 * name itself survives a crash. Readers only ever look in new/ and cur/, so a delivery
 * that dies half-way leaves nothing visible; no locks are needed between readers and
 * writers. Every step that must be durable is awaited before the promise resolves.
 *
 * @module
 */
import { syncDirectory, writeFileDurably } from "./durable.ts";
import { fileGroup, type FilingMessage, type GroupFiler } from "./filing.ts";
import {
  curFileName,
  fileNameId,
  normalizeFlags,
  parseFileName,
  sortByDelivery,
  uniqueName,
} from "./filename.ts";
import { GroupSync } from "./group_sync.ts";
import { KeyedLock } from "./keyed_lock.ts";
import {
  checkFolderName,
  folderDirName,
  folderFromDirName,
  INBOX,
  isInbox,
  MailboxNameError,
} from "./names.ts";
import { mapConcurrently } from "./map_concurrently.ts";

export { MailboxNameError };

/** What a client needs to know about one stored message. */
export interface MessageInfo {
  /** The unique base name, without ":2,FLAGS" (stable across flag changes; POP3 UIDL uses it). */
  id: string;
  /** "INBOX" or a folder name such as "Sent" or "Archive/2024". */
  folder: string;
  /** Maildir flag letters, sorted ASCII, e.g. "" or "FRS" (see {@linkcode FLAG}). */
  flags: string;
  /** Bytes on disk. */
  size: number;
  /** Delivery time (the file's mtime), IMAP's INTERNALDATE. */
  internalDate: Date;
  /** Absolute path of the file now. */
  path: string;
  /** Still in new/: no client has seen it yet (IMAP's \Recent). */
  isNew: boolean;
}

/** Options of {@linkcode Maildir.deliver}. */
export interface DeliverOptions extends Durability {
  /** Folder to deliver into (default "INBOX"); it must exist. */
  folder?: string;
  /** Flags: when given (even ""), the message goes straight to cur/ as already seen by a client. */
  flags?: string;
  /** Internal date to record as the file's mtime (IMAP APPEND's date); default now. */
  date?: Date;
  /**
   * The message's unique name, from {@linkcode uniqueName} (default: a new one). A caller
   * that must recognise the file in a listing made while `deliver` runs picks it first.
   */
  id?: string;
}

/**
 * Options of the calls that change a folder's directories. `sync: false` leaves out the
 * directory sync that makes the new name durable: the caller does it with
 * {@linkcode Maildir.syncFolder} before telling anyone the change is done. An IMAP server
 * uses it to make a batch of changes durable with one sync (group commit).
 */
export interface Durability {
  sync?: boolean;
}

type Sub = "new" | "cur";
interface Entry {
  sub: Sub;
  name: string;
}

/** The maildir spec: a tmp/ file "more than 36 hours old" is a leftover to remove. */
export const STALE_TMP_MS = 36 * 60 * 60 * 1000;

/**
 * Files stat'ed at once while listing a folder. Each async file operation runs on a
 * thread of Deno's pool: a folder of 5,000 messages stat'ed all at once started hundreds
 * of threads and added tens of MiB to the process; a few at a time keep the disk busy.
 */
const LIST_CONCURRENCY = 16;

/**
 * A listing is reused only while new/ and cur/ keep the stamp they had before it was
 * made, and only when both were last changed this long before it began. Adding,
 * removing or renaming a name in a directory moves its mtime and ctime, but the kernel
 * takes them from a clock that ticks every few milliseconds: a change in the same tick
 * as the scan, after it, would leave them as they were. Dovecot's maildir-sync.c has
 * the same rule, with MAILDIR_SYNC_SECS = 1.
 */
const SETTLED_MS = 1000;

/**
 * new/ and cur/ of a folder as they are now (inode, mtime and ctime of each) and when
 * the later of them last changed; undefined when either is missing.
 */
function directoriesStamp(dir: string): { text: string; changedAt: number } | undefined {
  let text = "";
  let changedAt = 0;
  for (const sub of ["new", "cur"]) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(`${dir}/${sub}`);
    } catch {
      return undefined;
    }
    const mtime = info.mtime?.getTime() ?? NaN;
    const ctime = info.ctime?.getTime() ?? NaN;
    if (!Number.isFinite(mtime) || !Number.isFinite(ctime)) return undefined;
    text += `${info.ino}:${mtime}:${ctime};`;
    changedAt = Math.max(changedAt, mtime, ctime);
  }
  return { text, changedAt };
}

/** What a listing keeps of a message file's stat: it never changes once delivered. */
interface FileStat {
  size: number;
  mtime: Date | null;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

function notFound(message: string): Deno.errors.NotFound {
  return new Deno.errors.NotFound(message);
}

/** A Maildir++ tree on disk. Safe for many concurrent callers within one process. */
export class Maildir {
  /** Absolute path of the tree's root (the INBOX). */
  readonly root: string;
  /** Per folder: id -> where its file was last seen. Refreshed when a file moved away. */
  readonly #index = new Map<string, Map<string, Entry>>();
  readonly #lock = new KeyedLock();
  /** Deliveries landing in the same folder at once share its directory syncs. */
  readonly #groupSync = new GroupSync();
  /**
   * Per folder: id -> size and mtime of its file. A message's file never changes once
   * delivered (a flag change renames it, which keeps both), so listing a folder again
   * stats only the files it has not seen: an IMAP server lists after every change.
   */
  readonly #stats = new Map<string, Map<string, FileStat>>();
  /**
   * Per folder: its last listing, given again while new/ and cur/ are unchanged, so a
   * POP3 login to a maildrop of thousands of messages costs two stats, not a scan.
   */
  readonly #listings = new Map<string, { stamp: string; infos: MessageInfo[] }>();

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * Open the Maildir at `root`, creating `root/{tmp,new,cur}` unless `create` is false.
   *
   * @throws {Deno.errors.NotFound} `create: false` and root is not a Maildir.
   *
   * @example Deliver, list and read
   * ```ts
   * import { Maildir } from "./maildir.ts";
   * const root = await Deno.makeTempDir();
   * const box = await Maildir.open(root);
   * const info = await box.deliver(new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
   * const [first] = await box.list();
   * if (first.id !== info.id || !first.isNew) throw new Error("unexpected");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  static async open(root: string, options: { create?: boolean } = {}): Promise<Maildir> {
    const create = options.create ?? true;
    for (const sub of ["tmp", "new", "cur"]) {
      const path = join(root, sub);
      if (create) {
        await Deno.mkdir(path, { recursive: true, mode: 0o700 });
      } else {
        const stat = await Deno.stat(path).catch(() => null);
        if (!stat?.isDirectory) {
          throw notFound(`Cannot open maildir ${root}: ${sub}/ is missing`);
        }
      }
    }
    return new Maildir(await Deno.realPath(root));
  }

  /**
   * Store a message. Resolves with its info only once the message and its name are on
   * disk (file fsynced, then the directory holding the new name fsynced; deliveries made
   * at the same moment share that directory sync, see group_sync.ts).
   *
   * @throws {MailboxNameError} the folder name is unsafe.
   * @throws {Deno.errors.NotFound} the folder does not exist.
   */
  async deliver(bytes: Uint8Array, options: DeliverOptions = {}): Promise<MessageInfo> {
    const folder = checkFolderName(options.folder ?? INBOX);
    const flags = options.flags === undefined ? undefined : normalizeFlags(options.flags);
    if (options.date && Number.isNaN(options.date.getTime())) {
      throw new TypeError("Cannot deliver message: the date is invalid");
    }
    const dir = await this.#folderPath(folder, "deliver to");
    const id = options.id ?? uniqueName();
    if (parseFileName(id).id !== id || id.includes("/") || id.startsWith(".")) {
      throw new TypeError(`Cannot deliver message: ${JSON.stringify(id)} is not a message name`);
    }
    const tmpPath = join(dir, "tmp", id);
    const entry: Entry = flags === undefined
      ? { sub: "new", name: id }
      : { sub: "cur", name: curFileName(id, flags) };
    let stat: Deno.FileInfo;
    try {
      stat = await writeFileDurably(tmpPath, bytes, options.date);
      // link() refuses to overwrite an existing name, unlike rename(): the spec's choice.
      await Deno.link(tmpPath, join(dir, entry.sub, entry.name));
    } catch (error) {
      await Deno.remove(tmpPath).catch(() => {});
      throw error;
    }
    // Only the folder sync must finish before we answer. Removing the tmp/ name need not
    // be durable (after a crash, a leftover in tmp/ is cleaned up after 36 hours): it runs
    // while the folder syncs.
    const [synced] = await Promise.allSettled([
      options.sync === false ? Promise.resolve() : this.#groupSync.sync(join(dir, entry.sub)),
      Deno.remove(tmpPath).catch(() => {}),
    ]);
    if (synced.status === "rejected") throw synced.reason;
    this.#index.get(folder)?.set(id, entry);
    return {
      id,
      folder,
      flags: flags ?? "",
      size: stat.size,
      internalDate: stat.mtime ?? new Date(0),
      path: `${dir}/${entry.sub}/${entry.name}`,
      isNew: entry.sub === "new",
    };
  }

  /**
   * Store many messages into the INBOX's new/ with the spec's steps done in groups:
   * every file is written to tmp/, all of them made durable at once, each one renamed into
   * new/, then new/ synced once ({@linkcode fileGroup}). Readers see each message whole or
   * not at all, as with {@linkcode Maildir.deliver}: no name reaches new/ before its file's
   * data is on disk. `filer` runs those steps: on this thread by default, or on a
   * `FilerThread`'s (filing.ts).
   *
   * Names are the caller's (a journal chose them when it accepted the messages), so filing
   * again after a crash is harmless: with `skipExisting`, a name already in new/ or cur/
   * (read and flagged meanwhile) is left alone.
   */
  async deliverMany(
    messages: readonly FilingMessage[],
    options: { skipExisting?: boolean; filer?: GroupFiler } = {},
  ): Promise<void> {
    const present = options.skipExisting ? this.#scan(INBOX, this.root) : new Map();
    const todo = messages.filter((message) => !present.has(message.id));
    for (const { id } of messages) {
      // Filed before a crash that came before its tmp/ name was removed.
      if (present.has(id)) await Deno.remove(join(this.root, "tmp", id)).catch(() => {});
    }
    if (todo.length === 0) return;
    await (options.filer ?? fileGroup)(this.root, todo);
    const index = this.#index.get(INBOX);
    for (const { id } of todo) index?.set(id, { sub: "new", name: id });
  }

  /**
   * The messages of a folder (default INBOX) from new/ and cur/, in delivery order:
   * oldest internal date first, ties by id. Files in tmp/ are never listed.
   */
  async list(folder: string = INBOX): Promise<MessageInfo[]> {
    folder = checkFolderName(folder);
    const dir = await this.#folderPath(folder, "list");
    const began = Date.now();
    const stamp = directoriesStamp(dir);
    const kept = this.#listings.get(folder);
    if (kept && stamp && kept.stamp === stamp.text) return kept.infos.map((info) => ({ ...info }));
    // A file can move (flags changed by another caller) between readDir and stat:
    // scan again, a few times, rather than report a message missing.
    for (let attempt = 0;; attempt++) {
      const entries = this.#scan(folder, dir);
      try {
        const known = this.#stats.get(folder);
        const stats = new Map<string, FileStat>();
        // Files seen before are described from memory; only new ones are stat'ed.
        const infos: MessageInfo[] = [];
        const unseen: [string, Entry][] = [];
        for (const [id, entry] of entries) {
          const stat = known?.get(id);
          if (stat) infos.push(this.#info(folder, dir, id, entry, stat, stats));
          else unseen.push([id, entry]);
        }
        const stated = await mapConcurrently(unseen, LIST_CONCURRENCY, async ([id, entry]) => {
          const stat = await Deno.stat(join(dir, entry.sub, entry.name));
          return this.#info(folder, dir, id, entry, stat, stats);
        });
        for (const info of stated) infos.push(info);
        this.#stats.set(folder, stats); // ids no longer listed are forgotten
        const sorted = sortByDelivery(infos);
        if (stamp && stamp.changedAt < began - SETTLED_MS) {
          this.#listings.set(folder, {
            stamp: stamp.text,
            infos: sorted.map((info) => ({ ...info })),
          });
        } else this.#listings.delete(folder);
        return sorted;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound) || attempt >= 3) throw error;
      }
    }
  }

  /** The bytes of one message. @throws {Deno.errors.NotFound} no such message. */
  async read(id: string, folder: string = INBOX): Promise<Uint8Array> {
    return await this.#withEntry(checkFolderName(folder), id, "read", (entry, dir) => {
      return Deno.readFile(join(dir, entry.sub, entry.name));
    });
  }

  /**
   * One message's file, open for reading: for streaming it (POP3 RETR) rather than
   * holding it whole. The caller closes it. A file renamed by a flag change after it was
   * opened stays readable (the open file follows its inode).
   *
   * @throws {Deno.errors.NotFound} no such message.
   */
  async open(id: string, folder: string = INBOX): Promise<Deno.FsFile> {
    // open(2) of a name the index knows is a few microseconds: done in place, it saves
    // the round trip through the thread pool that an async open costs.
    return await this.#withEntry(checkFolderName(folder), id, "open", (entry, dir) => {
      return Promise.resolve(Deno.openSync(join(dir, entry.sub, entry.name), { read: true }));
    });
  }

  /**
   * Replace a message's flags. The message moves to cur/ (a client has now seen it),
   * even when `flags` is "": that is how an IMAP server clears \Recent.
   *
   * @throws {TypeError} a flag is not a letter.
   * @throws {Deno.errors.NotFound} no such message.
   */
  async setFlags(
    id: string,
    flags: string,
    folder: string = INBOX,
    options: Durability = {},
  ): Promise<MessageInfo> {
    const wanted = normalizeFlags(flags);
    folder = checkFolderName(folder);
    return await this.#lock.run(
      `${folder}\0${id}`,
      () =>
        this.#withEntry(folder, id, "set flags of", async (entry, dir) => {
          const target: Entry = { sub: "cur", name: curFileName(id, wanted) };
          if (entry.sub !== target.sub || entry.name !== target.name) {
            await Deno.rename(join(dir, entry.sub, entry.name), join(dir, "cur", target.name));
            if (options.sync !== false) {
              await this.#groupSync.sync(join(dir, "cur"));
              if (entry.sub === "new") await this.#groupSync.sync(join(dir, "new"));
            }
            this.#index.get(folder)?.set(id, target);
          }
          const stat = this.#stats.get(folder)?.get(id) ??
            await Deno.stat(join(dir, target.sub, target.name));
          return this.#info(folder, dir, id, target, stat);
        }),
    );
  }

  /** Delete a message for good (POP3 UPDATE, IMAP EXPUNGE). @throws {Deno.errors.NotFound} */
  async remove(id: string, folder: string = INBOX, options: Durability = {}): Promise<void> {
    folder = checkFolderName(folder);
    return await this.#lock.run(
      `${folder}\0${id}`,
      () =>
        this.#withEntry(folder, id, "remove", async (entry, dir) => {
          await Deno.remove(join(dir, entry.sub, entry.name));
          if (options.sync !== false) await syncDirectory(join(dir, entry.sub));
          this.#index.get(folder)?.delete(id);
        }),
    );
  }

  /**
   * Make every change made so far in a folder's new/ and cur/ durable (the calls made
   * with `sync: false`): one sync of each directory, shared with syncs running at once.
   *
   * @throws {Deno.errors.NotFound} the folder does not exist.
   */
  async syncFolder(folder: string = INBOX): Promise<void> {
    const dir = await this.#folderPath(checkFolderName(folder), "sync");
    await Promise.all([
      this.#groupSync.sync(join(dir, "new")),
      this.#groupSync.sync(join(dir, "cur")),
    ]);
  }

  /** Every folder: "INBOX" first, then the others sorted by code point. */
  async folders(): Promise<string[]> {
    const names: string[] = [];
    for await (const entry of Deno.readDir(this.root)) {
      if (!entry.isDirectory) continue;
      const name = folderFromDirName(entry.name);
      if (name === null) continue;
      // A Maildir++ folder is a maildir itself; other dot directories are not folders.
      const cur = await Deno.stat(join(this.root, entry.name, "cur")).catch(() => null);
      if (cur?.isDirectory) names.push(name);
    }
    return [INBOX, ...names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
  }

  /**
   * Create a folder (Maildir++: `.Name` with tmp/, new/, cur/ and a `maildirfolder`
   * marker file). Parents of "A/B" are not created: Maildir++ does not need them.
   *
   * @throws {MailboxNameError} the name is unsafe.
   * @throws {Deno.errors.AlreadyExists} the folder exists.
   */
  async createFolder(name: string): Promise<void> {
    name = checkFolderName(name);
    if (isInbox(name)) throw new Deno.errors.AlreadyExists("Cannot create INBOX: it always exists");
    const dir = join(this.root, folderDirName(name));
    try {
      await Deno.mkdir(dir, { mode: 0o700 }); // not recursive: fails if it exists
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new Deno.errors.AlreadyExists(`Cannot create folder ${name}: it already exists`);
      }
      throw error;
    }
    for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(join(dir, sub), { mode: 0o700 });
    await Deno.writeFile(join(dir, "maildirfolder"), new Uint8Array(), { mode: 0o600 });
    await syncDirectory(dir);
    await syncDirectory(this.root);
  }

  /**
   * Delete a folder and its messages. Sub-folders stay (RFC 3501 6.3.4). The folder is
   * first renamed into tmp/, so it vanishes from the listing in one atomic step.
   *
   * @throws {MailboxNameError} the name is unsafe, or is INBOX.
   * @throws {Deno.errors.NotFound} no such folder.
   */
  async deleteFolder(name: string): Promise<void> {
    name = checkFolderName(name);
    if (isInbox(name)) throw new MailboxNameError(name, "INBOX cannot be deleted");
    const dir = await this.#folderPath(name, "delete");
    const doomed = join(this.root, "tmp", `.deleted-${uniqueName()}`);
    await Deno.rename(dir, doomed);
    await syncDirectory(this.root);
    this.#index.clear();
    this.#stats.clear();
    this.#listings.clear();
    await Deno.remove(doomed, { recursive: true });
  }

  /**
   * Rename a folder and every folder below it ("A" to "B" moves "A/x" to "B/x"), as
   * RFC 3501 6.3.5 asks. Renaming INBOX moves its messages into the new folder and
   * leaves INBOX empty, as RFC 3501 also says.
   *
   * @throws {MailboxNameError} a name is unsafe, `to` is INBOX or lies below `from`.
   * @throws {Deno.errors.NotFound} `from` does not exist.
   * @throws {Deno.errors.AlreadyExists} `to` (or a renamed sub-folder) exists.
   */
  async renameFolder(from: string, to: string): Promise<void> {
    from = checkFolderName(from);
    to = checkFolderName(to);
    if (isInbox(to)) throw new MailboxNameError(to, "cannot rename a folder to INBOX");
    if (isInbox(from)) return await this.#renameInbox(to);
    if (to === from || to.startsWith(from + "/")) {
      throw new MailboxNameError(to, `cannot rename ${from} into itself`);
    }
    await this.#folderPath(from, "rename");
    const fromDir = folderDirName(from);
    const toDir = folderDirName(to);
    const moves: [string, string][] = [];
    for await (const entry of Deno.readDir(this.root)) {
      if (!entry.isDirectory) continue;
      if (entry.name === fromDir || entry.name.startsWith(fromDir + ".")) {
        const suffix = entry.name.slice(fromDir.length);
        checkFolderName(to + suffix.split(".").join("/")); // e.g. still short enough
        const target = toDir + suffix;
        moves.push([entry.name, target]);
      }
    }
    for (const [, target] of moves) {
      if (await Deno.lstat(join(this.root, target)).catch(() => null)) {
        throw new Deno.errors.AlreadyExists(
          `Cannot rename ${from} to ${to}: ${folderFromDirName(target)} already exists`,
        );
      }
    }
    for (const [source, target] of moves) {
      await Deno.rename(join(this.root, source), join(this.root, target));
    }
    await syncDirectory(this.root);
    this.#index.clear();
    this.#stats.clear();
    this.#listings.clear();
  }

  /**
   * Remove tmp/ files older than 36 hours: the leftovers of deliveries that crashed
   * between writing tmp/ and linking into new/. The maildir spec: "A delivery agent
   * ... should remove the file if it is more than 36 hours old"; a younger file may be
   * a delivery in progress, so it stays. Returns how many were removed.
   */
  async cleanTmp(folder: string = INBOX, maxAgeMs: number = STALE_TMP_MS): Promise<number> {
    const dir = join(await this.#folderPath(checkFolderName(folder), "clean"), "tmp");
    let removed = 0;
    try {
      for await (const entry of Deno.readDir(dir)) {
        const path = join(dir, entry.name);
        const stat = await Deno.lstat(path).catch(() => null);
        if (!stat?.mtime || Date.now() - stat.mtime.getTime() <= maxAgeMs) continue;
        // A folder left by a deleteFolder() that crashed half-way is stale as well.
        const doomedFolder = stat.isDirectory && entry.name.startsWith(".deleted-");
        if (!stat.isFile && !doomedFolder) continue;
        await Deno.remove(path, { recursive: doomedFolder }).catch(() => {});
        removed++;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
  }

  /** {@linkcode Maildir.cleanTmp} for every folder of the tree. Returns how many files went. */
  async cleanAllTmp(maxAgeMs: number = STALE_TMP_MS): Promise<number> {
    let removed = 0;
    for (const folder of await this.folders()) {
      removed += await this.cleanTmp(folder, maxAgeMs).catch((error) => {
        if (error instanceof Deno.errors.NotFound) return 0; // the folder went meanwhile
        throw error;
      });
    }
    return removed;
  }

  async #renameInbox(to: string): Promise<void> {
    await this.createFolder(to);
    const target = join(this.root, folderDirName(to));
    for (const sub of ["new", "cur"] as const) {
      for await (const entry of Deno.readDir(join(this.root, sub))) {
        if (entry.name.startsWith(".")) continue;
        await Deno.rename(join(this.root, sub, entry.name), join(target, sub, entry.name));
      }
      await syncDirectory(join(target, sub));
      await syncDirectory(join(this.root, sub));
    }
    this.#index.clear();
    this.#stats.clear();
    this.#listings.clear();
  }

  /** Absolute path of an existing folder. */
  async #folderPath(folder: string, action: string): Promise<string> {
    const dir = join(this.root, folderDirName(folder));
    if (isInbox(folder)) return dir;
    const stat = await Deno.stat(dir).catch(() => null);
    if (!stat?.isDirectory) throw notFound(`Cannot ${action} folder ${folder}: it does not exist`);
    return dir;
  }

  /**
   * Read new/ and cur/ of a folder afresh and remember where each id is.
   *
   * The directories are read with the blocking call: Deno's async `readDir` makes one
   * trip through its thread pool for every entry, where `readDirSync` reads a folder of
   * thousands of names in a few system calls, several times faster in a profile.
   */
  #scan(folder: string, dir: string): Map<string, Entry> {
    const entries = new Map<string, Entry>();
    for (const sub of ["new", "cur"] as const) {
      try {
        for (const item of Deno.readDirSync(join(dir, sub))) {
          // Dot files are not messages (the spec); directories are not either.
          if (item.name.startsWith(".") || item.isDirectory) continue;
          entries.set(fileNameId(item.name), { sub, name: item.name });
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    this.#index.set(folder, entries);
    return entries;
  }

  /** Run `action` on a message's current file; if it moved meanwhile, look again once. */
  async #withEntry<T>(
    folder: string,
    id: string,
    action: string,
    fn: (entry: Entry, dir: string) => Promise<T>,
  ): Promise<T> {
    const dir = await this.#folderPath(folder, action);
    for (let attempt = 0; attempt < 2; attempt++) {
      const cached = attempt === 0 ? this.#index.get(folder)?.get(id) : undefined;
      const entry = cached ?? this.#scan(folder, dir).get(id);
      if (!entry) break;
      try {
        return await fn(entry, dir);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (!cached) break;
      }
    }
    throw notFound(`Cannot ${action} message ${JSON.stringify(id)} in ${folder}: no such message`);
  }

  #info(
    folder: string,
    dir: string,
    id: string,
    entry: Entry,
    stat: FileStat,
    seen?: Map<string, FileStat>,
  ): MessageInfo {
    seen?.set(id, { size: stat.size, mtime: stat.mtime });
    return {
      id,
      folder,
      flags: entry.sub === "cur" ? parseFileName(entry.name).flags : "",
      size: stat.size,
      internalDate: stat.mtime ?? new Date(0),
      path: `${dir}/${entry.sub}/${entry.name}`,
      isNew: entry.sub === "new",
    };
  }
}
