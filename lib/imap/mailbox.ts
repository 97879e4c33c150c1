/**
 * One Maildir folder as IMAP sees it, shared by every session of a server that has it
 * selected: UIDs (kept in `course-uidlist`), flags (kept in the Maildir file names) and
 * a change counter that sessions compare against to send EXISTS, EXPUNGE and FETCH
 * updates (RFC 3501 7.3.1, 7.4.1, 7.4.2; RFC 3501 5.2: "the server MUST send" them).
 *
 * How changes from elsewhere are noticed: {@linkcode SharedMailbox.refresh} stats the
 * folder's new/ and cur/ directories and the uidlist. Delivering, deleting or renaming a
 * file (a flag change renames it) changes a directory's mtime, so three `stat` calls tell
 * whether anything changed, however big the folder; only then is the folder listed again.
 * Two changes within one tick of the file system's clock can leave the same mtimes, so
 * when the last listing began soon after the newest change (within 20 ms where mtimes
 * have milliseconds, 2 s where they are whole seconds), the folder is listed once more
 * after that time. We poll like this rather than rely on `Deno.watchFs` alone because
 * polling also works on network file systems and costs a few stats per command.
 *
 * How changes are made: one batch at a time per folder (group commit, see
 * `SharedMailbox.#change`). The changes asked for while a commit runs are applied
 * together by the next one and share its flushes to disk.
 *
 * @module
 */

import { type MimeEntity, scanMessage, toCrlf } from "../mail/mod.ts";
import { folderDirName, type Maildir, mapConcurrently, uniqueName } from "../maildir/mod.ts";
import { fromLetters, isImapLetter, toLetters } from "./flags.ts";
import {
  KeywordLimitError,
  KEYWORDS_FILE,
  KeywordTable,
  readKeywords,
  writeKeywords,
} from "./keywords.ts";
import { LIMITS } from "./constants.ts";
import { ModseqLog } from "./modseq.ts";
import {
  newUidList,
  nextUidValidity,
  readUidList,
  type UidList,
  UIDLIST_FILE,
  writeUidList,
} from "./uidlist.ts";

/** One message as the mailbox knows it. */
export interface MessageRecord {
  uid: number;
  /** The Maildir id (stable across flag changes). */
  id: string;
  /** Maildir flag letters, e.g. "FS". */
  letters: string;
  /** IMAP flags derived from the letters, keywords included (\Recent is per session, not here). */
  flags: string[];
  /** Bytes on disk; the size sent (CRLF line ends) may differ, see {@linkcode SharedMailbox.wireSize}. */
  diskSize: number;
  internalDate: Date;
  /** Still in new/: no IMAP session has announced it yet. */
  isNew: boolean;
  /** RFC 7162 3.1: grows whenever the message's flags change (modseq.ts). */
  modseq: number;
}

/** A message's bytes (with CRLF line ends) and its MIME tree. */
export interface LoadedMessage {
  bytes: Uint8Array;
  mime: MimeEntity;
}

/** A change waiting for its folder's next commit (see `SharedMailbox.#change`). */
interface Change {
  apply: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** What the changes applied in one commit did, before it is durable. */
interface Batch {
  /** Flag letters set, by UID (what later changes of the batch must start from). */
  letters: Map<number, string>;
  /** UIDs expunged. */
  removed: Set<number>;
  /** Messages moved from new/ to cur/ without a flag change (a claim of \Recent). */
  moved: boolean;
  /** The uidlist must be written (new UIDs, or a claim of \Recent). */
  uidList: boolean;
}

function newBatch(): Batch {
  return { letters: new Map(), removed: new Set(), moved: false, uidList: false };
}

/**
 * Renames and removals of one change in flight at once: each is a trip through Deno's
 * thread pool, and nothing orders them (they touch different files) until the commit's
 * directory sync.
 */
const FILE_STEPS_AT_ONCE = 16;

/** The files whose mtimes make a folder's stamp. */
const STAMP_FILES = ["new", "cur", UIDLIST_FILE, KEYWORDS_FILE];
/** Settling time on a file system with millisecond mtimes (ext4 ticks in a few ms). */
const SETTLE_FINE_MS = 20;
/** Settling time where mtimes are whole seconds (ext3, some network file systems). */
const SETTLE_COARSE_MS = 2000;

/** A folder shared by sessions; all changes go through it. */
export class SharedMailbox {
  readonly maildir: Maildir;
  readonly folder: string;
  /** The folder's directory (where new/, cur/ and the uidlist live). */
  readonly dir: string;
  uidValidity = 0;
  uidNext = 1;
  /** Messages in UID order: position + 1 is the sequence number of a fresh SELECT. */
  messages: MessageRecord[] = [];
  byUid = new Map<number, MessageRecord>();
  /** Bumped on every change; sessions compare it to decide whether to look. */
  version = 0;
  /** The folder's keywords and their letters (Dovecot's `dovecot-keywords`). */
  keywords = new KeywordTable();
  /** Messages from this UID on are \Recent: no session has claimed them yet (uidlist.ts). */
  firstRecentUid = 1;
  #uidList: UidList | null = null;
  #modseqs: ModseqLog | null = null;
  #stamp = "";
  /** When (Date.now()) the last listing of the folder began. */
  #listedAt = 0;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<() => void>();
  /** Sizes with CRLF line ends, by id, learnt when a message is first read. */
  readonly #wireSizes: Map<string, number>;
  /** A few recently read messages: clients often FETCH several items of one message in a row. */
  readonly #recent = new Map<number, LoadedMessage>();

  /**
   * @param wireSizes sizes with CRLF line ends learnt so far, by id: the registry keeps
   *   them across the mailbox's lives, since learning one means reading the file.
   */
  constructor(maildir: Maildir, folder: string, wireSizes = new Map<string, number>()) {
    this.#wireSizes = wireSizes;
    this.maildir = maildir;
    this.folder = folder;
    const sub = folderDirName(folder);
    this.dir = sub ? `${maildir.root}/${sub}` : maildir.root;
  }

  /** Run `task` after every earlier task of this mailbox: one change at a time. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Be told (while in IDLE) when this mailbox changes; returns the function that stops
   * it. While anyone listens, the folder is watched: one file-system watcher on its new/
   * and cur/ for every session that listens, so a delivery by another program reaches
   * them all at once and an idle session costs no CPU. A rescan every `rescanMs` is the
   * safety net for file systems that report no events (NFS, some containers).
   */
  listen(listener: () => void, rescanMs: number = LIMITS.rescanIntervalMs): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#watch(rescanMs);
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.#unwatch();
    };
  }

  /** Resolves once every change queued so far is done (a session ending waits for it). */
  settled(): Promise<void> {
    return this.#queue.then(() => {});
  }

  #watcher: Deno.FsWatcher | null = null;
  #rescan: ReturnType<typeof setInterval> | undefined;
  #soon: ReturnType<typeof setTimeout> | undefined;

  #watch(rescanMs: number): void {
    // Events come in bursts (a delivery is a link and an unlink): one refresh per burst.
    const wake = () => {
      this.#soon ??= setTimeout(() => {
        this.#soon = undefined;
        this.refresh().catch(() => {}); // a vanished folder: sessions see it on their next command
      }, 10);
    };
    try {
      const watcher = Deno.watchFs([`${this.dir}/new`, `${this.dir}/cur`], { recursive: false });
      this.#watcher = watcher;
      (async () => {
        try {
          for await (const _event of watcher) wake();
        } catch {
          // closed, or the folder went away
        }
      })();
    } catch {
      // No file-system events here: the rescan alone notices changes.
    }
    this.#rescan = setInterval(wake, rescanMs);
  }

  #unwatch(): void {
    try {
      this.#watcher?.close();
    } catch {
      // already closed
    }
    this.#watcher = null;
    clearInterval(this.#rescan);
    clearTimeout(this.#soon);
    this.#soon = undefined;
  }

  /**
   * The folder's stamp: the mtimes of new/, cur/, the uidlist and the keywords file
   * (-1 for a missing one). Synchronous `stat`s: from the kernel's cache they take
   * microseconds, less than a trip through Deno's thread pool, and every command makes
   * them. `settleMs` is how long after the newest change a listing must have started to
   * be sure it saw it: two changes within one tick of the file system's clock can leave
   * the same mtime, and some file systems keep whole seconds only.
   */
  #stampNow(): { stamp: string; newest: number; settleMs: number } {
    const times = STAMP_FILES.map((p) => {
      try {
        return Deno.statSync(`${this.dir}/${p}`).mtime?.getTime() ?? 0;
      } catch {
        return -1;
      }
    });
    const fine = times.some((t) => t > 0 && t % 1000 !== 0);
    return {
      stamp: times.join("|"),
      newest: Math.max(...times),
      settleMs: fine ? SETTLE_FINE_MS : SETTLE_COARSE_MS,
    };
  }

  /**
   * Bring the in-memory view up to date with the disk; cheap when nothing changed.
   * @throws {Deno.errors.NotFound} the folder no longer exists.
   */
  refresh(force = false): Promise<boolean> {
    // Nothing changed on disk since the last listing: the view in memory is current, and
    // the caller need not queue behind changes in progress (they have not touched the
    // disk yet, or the stamp would differ; their sessions have not been answered).
    if (!force && this.#seen(this.#stampNow())) return Promise.resolve(false);
    if (force) return this.#serial(() => this.#refresh(true));
    // Callers arriving while a refresh waits its turn share it: it has not listed yet,
    // so it will see whatever they saw change. Ten sessions, one listing.
    return this.#nextRefresh ??= this.#serial(() => {
      this.#nextRefresh = null;
      return this.#refresh(false);
    });
  }

  /**
   * {@linkcode SharedMailbox.refresh} for a command's untagged updates (RFC 3501 5.2),
   * except while changes are being committed: the commit ends with a listing anyway, and
   * the command answers from the view as it stands (every change already answered is in
   * it), rather than wait for other sessions' changes; its next command sees the rest.
   */
  refreshUnlessCommitting(): Promise<boolean> {
    if (this.#commits > 0 && this.#listedAt > 0) return Promise.resolve(false);
    return this.refresh();
  }

  #nextRefresh: Promise<boolean> | null = null;
  /** Commits queued or running. */
  #commits = 0;
  #recheck: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * True when the disk shows the stamp of the last listing. If that listing began within
   * the settling time of the newest change, a later change in the same tick of the file
   * system's clock could share its mtimes: the folder is listed once more when that
   * time has passed (one timer per folder), not at once by every command, since under
   * load some change (often our own) is always that recent.
   */
  #seen(now: { stamp: string; newest: number; settleMs: number }): boolean {
    if (now.stamp !== this.#stamp) return false;
    if (this.#listedAt - now.newest <= now.settleMs) this.#recheckAfter(now.settleMs);
    return true;
  }

  #recheckAfter(ms: number): void {
    if (this.#recheck !== undefined || this.#closed) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      const now = this.#stampNow();
      if (now.stamp === this.#stamp && this.#listedAt - now.newest > now.settleMs) return;
      // A vanished folder: sessions see it on their next command.
      this.#serial(() => this.#closed ? Promise.resolve(false) : this.#refresh(true))
        .catch(() => {});
    }, ms + 1);
  }

  async #refresh(force: boolean): Promise<boolean> {
    const now = this.#stampNow();
    if (!force && this.#seen(now)) return false;
    const stamp = now.stamp;
    this.#listedAt = Date.now();
    const infos = (await this.maildir.list(this.folder)).filter((i) => !this.#arriving.has(i.id));
    const [, , uidStamp, keywordStamp] = stamp.split("|");
    const [, , oldUidStamp, oldKeywordStamp] = this.#stamp.split("|");
    if (!this.#uidList || uidStamp !== oldUidStamp) {
      const claimed = this.#uidList?.firstRecentUid ?? 1;
      this.#uidList = (await readUidList(this.dir)) ?? this.#uidList ??
        newUidList(await nextUidValidity(this.maildir.root));
      // A claim written by us a moment ago is never undone by an older file.
      this.#uidList.firstRecentUid = Math.max(this.#uidList.firstRecentUid, claimed);
    }
    if (keywordStamp !== oldKeywordStamp) this.keywords = await readKeywords(this.dir);
    const list = this.#uidList;
    let dirty = false;
    const seen = new Set<string>();
    for (const info of infos) {
      seen.add(info.id);
      if (!list.uids.has(info.id)) {
        list.uids.set(info.id, list.uidNext++);
        dirty = true;
      }
    }
    for (const id of list.uids.keys()) {
      if (!seen.has(id)) {
        list.uids.delete(id);
        this.#wireSizes.delete(id);
        dirty = true;
      }
    }
    if (dirty || list.uidValidity !== this.uidValidity) await writeUidList(this.dir, list);
    const records = infos.map((info): MessageRecord => ({
      uid: list.uids.get(info.id)!,
      id: info.id,
      letters: info.flags,
      flags: fromLetters(info.flags, this.keywords),
      diskSize: info.size,
      internalDate: info.internalDate,
      isNew: info.isNew,
      modseq: 0,
    })).sort((a, b) => a.uid - b.uid);
    if (this.#modseqs?.uidValidity !== list.uidValidity) {
      this.#modseqs = await ModseqLog.open(this.dir, list.uidValidity);
    }
    // Whatever changed the folder (this server, mutt, Dovecot), the change gets a MODSEQ.
    const stamped = await this.#modseqs.observe(records);
    for (const record of records) record.modseq = this.#modseqs.modseqOf(record.uid);
    const changed = stamped || this.#differs(records) || list.uidValidity !== this.uidValidity;
    this.firstRecentUid = list.uidValidity === this.uidValidity
      ? Math.max(this.firstRecentUid, list.firstRecentUid) // a claim is never undone
      : list.firstRecentUid;
    this.messages = records;
    this.byUid = new Map(records.map((r) => [r.uid, r]));
    this.uidValidity = list.uidValidity;
    this.uidNext = list.uidNext;
    this.#stamp = this.#stampNow().stamp === stamp ? stamp : "";
    if (changed) {
      this.version++;
      for (const listener of this.#listeners) listener();
    }
    return changed;
  }

  /** RFC 7162 3.1.2.1: the folder's HIGHESTMODSEQ. */
  get highestModseq(): number {
    return this.#modseqs?.highest ?? 0;
  }

  /** The UIDs expunged after `modseq`, or null if some may have been forgotten (modseq.ts). */
  vanishedSince(modseq: number): number[] | null {
    return this.#modseqs?.vanishedSince(modseq) ?? null;
  }

  #differs(records: MessageRecord[]): boolean {
    if (records.length !== this.messages.length) return true;
    return records.some((r, i) => {
      const old = this.messages[i];
      return old.uid !== r.uid || old.letters !== r.letters || old.flags.length !== r.flags.length;
    });
  }

  /**
   * Change flags of messages (STORE, and \Seen set by FETCH BODY[]): `+` adds, `-`
   * removes, `=` replaces. Keywords get letters from the folder's keyword table.
   * Returns the UIDs whose flags changed. With `unchangedSince` (RFC 7162 3.1.3), a
   * message whose MODSEQ is higher is left alone and its UID added to `modified`; the
   * test and the change happen in one step, after looking at the disk.
   *
   * @throws {KeywordLimitError} a new keyword and no letter left for it.
   */
  setFlags(
    uids: readonly number[],
    mode: "+" | "-" | "=",
    flags: readonly string[],
    conditional?: { unchangedSince: number; modified: number[] },
  ): Promise<number[]> {
    return this.#change(async () => {
      if (mode !== "-") await this.#assignKeywords(flags);
      const wanted = toLetters(flags, "", this.keywords).split("");
      const renames: { uid: number; id: string; letters: string }[] = [];
      for (const uid of uids) {
        const record = this.byUid.get(uid);
        if (!record || this.#batch.removed.has(uid)) continue;
        const current = this.#batch.letters.get(uid) ?? record.letters;
        // Changed earlier in this batch: it gets the batch's MODSEQ, above every one so far.
        const modseq = this.#batch.letters.has(uid) ? this.highestModseq + 1 : record.modseq;
        if (conditional && modseq > conditional.unchangedSince) {
          conditional.modified.push(uid);
          continue;
        }
        const keep = [...current].filter((l) =>
          mode === "+" || (mode === "-" && !wanted.includes(l)) ||
          (mode === "=" && !isImapLetter(l))
        );
        const letters = [...new Set([...keep, ...(mode === "-" ? [] : wanted)])].sort().join("");
        if (letters !== current) renames.push({ uid, id: record.id, letters });
      }
      const done = await mapConcurrently(
        renames,
        FILE_STEPS_AT_ONCE,
        async ({ uid, id, letters }) => {
          try {
            await this.maildir.setFlags(id, letters, this.folder, { sync: false });
          } catch (error) {
            if (error instanceof Deno.errors.NotFound) return false; // expunged meanwhile
            throw error;
          }
          this.#batch.letters.set(uid, letters);
          return true;
        },
      );
      return renames.filter((_, i) => done[i]).map((r) => r.uid);
    });
  }

  /** The keywords among `flags` that have no letter yet. */
  #freshKeywords(flags: readonly string[]): string[] {
    return flags.filter((f) => !f.startsWith("\\") && this.keywords.letterOf(f) === null);
  }

  /** Give letters to the keywords among `flags` that have none yet, and save the table. */
  async #assignKeywords(flags: readonly string[]): Promise<void> {
    const fresh = this.#freshKeywords(flags);
    if (!fresh.length) return;
    const table = KeywordTable.parse(this.keywords.format());
    for (const name of fresh) {
      if (table.assign(name) === null) throw new KeywordLimitError(name);
    }
    await writeKeywords(this.dir, table);
    this.keywords = table;
    this.#stamp = ""; // the keywords file changed: the next refresh rereads everything
  }

  /**
   * Claim the \Recent messages (RFC 3501 2.3.2: exactly one session sees a message as
   * recent): the UIDs from firstRecentUid on. Afterwards nothing is recent for anyone
   * else; the claim is written to the uidlist and the messages move from new/ to cur/,
   * as a Maildir reader expects of mail a client has seen.
   */
  claimRecent(): { uids: number[]; saved: Promise<void> } {
    const uids = this.messages.filter((m) => m.uid >= this.firstRecentUid).map((m) => m.uid);
    if (!uids.length) return { uids, saved: Promise.resolve() };
    this.firstRecentUid = uids[uids.length - 1] + 1;
    // Into the uidlist at once, not only when the write below runs: a refresh queued
    // before it would otherwise put the old value back, and a second session would
    // claim the same messages (imaptest's stress run caught \Recent in two sessions).
    if (this.#uidList) {
      this.#uidList.firstRecentUid = Math.max(this.#uidList.firstRecentUid, this.firstRecentUid);
    }
    const saved = this.#change(async () => {
      const list = this.#uidList!;
      list.firstRecentUid = Math.max(list.firstRecentUid, this.firstRecentUid);
      this.#batch.uidList = true;
      for (const uid of uids) {
        const record = this.byUid.get(uid);
        if (!record?.isNew || this.#batch.removed.has(uid)) continue;
        const letters = this.#batch.letters.get(uid) ?? record.letters;
        await this.maildir.setFlags(record.id, letters, this.folder, { sync: false })
          .catch(() => {});
        this.#batch.moved = true;
      }
    });
    return { uids, saved };
  }

  /** How many messages are \Recent (STATUS RECENT, EXAMINE): those nobody has claimed. */
  recentCount(): number {
    return this.messages.filter((m) => m.uid >= this.firstRecentUid).length;
  }

  /**
   * Store a new message (APPEND, COPY); returns its UID. It is \Recent until a session
   * claims it.
   *
   * @throws {KeywordLimitError} a new keyword and no letter left for it.
   */
  async append(bytes: Uint8Array, flags: readonly string[], date?: Date): Promise<number> {
    const [uid] = await this.appendMany([{ bytes, flags, date }]);
    return uid;
  }

  /**
   * Store several messages (MULTIAPPEND, COPY of a set); returns their UIDs in the order
   * given. The files are delivered as any delivery is (lib/maildir: flushed, linked, the
   * directory synced with deliveries made at the same moment) outside the folder's queue,
   * so other changes need not wait for those flushes; the change that follows only hands
   * out the UIDs, in order, and writes them to the uidlist with its batch. Until then a
   * listing leaves the files out (`#arriving`): it would number them by date instead.
   *
   * @throws {KeywordLimitError} a new keyword and no letter left for it.
   */
  async appendMany(
    messages: readonly { bytes: Uint8Array; flags: readonly string[]; date?: Date }[],
  ): Promise<number[]> {
    const flags = [...new Set(messages.flatMap((m) => m.flags))];
    if (this.#freshKeywords(flags).length) await this.#change(() => this.#assignKeywords(flags));
    const ids = messages.map(() => uniqueName());
    for (const id of ids) this.#arriving.add(id);
    try {
      for (const [i, { bytes, flags, date }] of messages.entries()) {
        const letters = toLetters(flags, "", this.keywords);
        await this.maildir.deliver(bytes, {
          folder: this.folder,
          flags: letters,
          date,
          id: ids[i],
        });
      }
      return await this.#change(() => {
        const list = this.#uidList!;
        this.#batch.uidList = true;
        for (const id of ids) {
          list.uids.set(id, list.uidNext++);
          this.#arriving.delete(id); // the commit's listing shows them
        }
        return Promise.resolve(ids.map((id) => list.uids.get(id)!));
      });
    } finally {
      for (const id of ids) this.#arriving.delete(id);
    }
  }

  /** Messages being stored by {@linkcode SharedMailbox.appendMany}, not yet given UIDs. */
  readonly #arriving = new Set<string>();

  /**
   * Delete messages for good (EXPUNGE): those given that carry \Deleted, or all those
   * given with `deletedOnly: false` (MOVE, RFC 6851 3.3). Returns their UIDs.
   */
  expunge(uids?: readonly number[], deletedOnly = true): Promise<number[]> {
    return this.#change(async () => {
      const batch = this.#batch;
      const doomed = (uids ? uids.map((u) => this.byUid.get(u)!).filter(Boolean) : this.messages)
        .filter((r) => !batch.removed.has(r.uid))
        .filter((r) => !deletedOnly || (batch.letters.get(r.uid) ?? r.letters).includes("T"));
      await mapConcurrently(doomed, FILE_STEPS_AT_ONCE, async (record) => {
        await this.maildir.remove(record.id, this.folder, { sync: false }).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
        this.#recent.delete(record.uid);
        batch.removed.add(record.uid);
      });
      return doomed.map((r) => r.uid);
    });
  }

  /** What the changes of the batch being applied did, for its commit and for each other. */
  #batch = newBatch();
  /** Changes waiting for the next commit, in arrival order. */
  #waiting: Change[] = [];

  /**
   * Group commit. `apply` makes a change (renames, removals, deliveries, none of them
   * made durable yet); the changes that arrive while the folder's previous commit runs
   * wait for the next one, which applies them one after another, in order, and then
   * makes them durable together: one sync of new/ and cur/, one uidlist write, one
   * listing, one MODSEQ append. Ten sessions storing flags at once so wait for about two
   * rounds of flushes, not ten. A change sees those before it in its batch (`#batch`);
   * its promise settles only after the commit, so a tagged OK still means "on disk".
   */
  #change<T>(apply: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      // The first change of a batch queues its commit; the others ride along.
      if (this.#waiting.length !== 1) return;
      this.#commits++;
      const done = () => this.#commits--;
      this.#serial(() => this.#commit()).then(done, done);
    });
  }

  async #commit(): Promise<void> {
    const changes = this.#waiting;
    this.#waiting = [];
    const batch = this.#batch = newBatch();
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await this.#refresh(false); // each change decides on what the disk holds now
      for (const { apply } of changes) {
        outcomes.push(
          await apply().then((value) => ({ ok: true, value }), (value) => ({ ok: false, value })),
        );
      }
      const renamed = batch.letters.size > 0 || batch.removed.size > 0 || batch.moved;
      if (renamed || batch.uidList) {
        // The listing (and its MODSEQ append) need not wait for the directory syncs: it
        // reads the same names either way, and nobody is answered before both are done.
        await Promise.all([
          renamed ? this.maildir.syncFolder(this.folder) : undefined,
          (async () => {
            if (batch.uidList) await writeUidList(this.dir, this.#uidList!);
            await this.#refresh(true);
          })(),
        ]);
      }
    } catch (error) {
      for (const { reject } of changes) reject(error);
      return;
    } finally {
      this.#batch = newBatch();
    }
    changes.forEach(({ resolve, reject }, i) => {
      const { ok, value } = outcomes[i];
      if (ok) resolve(value);
      else reject(value);
    });
  }

  /** The message, CRLF line ends guaranteed, or null if it vanished. */
  async load(uid: number): Promise<LoadedMessage | null> {
    const cached = this.#recent.get(uid);
    if (cached) return cached;
    const record = this.byUid.get(uid);
    if (!record) return null;
    let raw: Uint8Array;
    try {
      raw = await this.maildir.read(record.id, this.folder);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    const bytes = toCrlf(raw);
    this.#wireSizes.set(record.id, bytes.length);
    const loaded = { bytes, mime: scanMessage(bytes) };
    this.#recent.set(uid, loaded);
    if (this.#recent.size > 16) this.#recent.delete(this.#recent.keys().next().value!);
    return loaded;
  }

  /** RFC822.SIZE: the size as sent (CRLF line ends), reading the file once if it has to. */
  async wireSize(record: MessageRecord): Promise<number> {
    const known = this.#wireSizes.get(record.id);
    if (known !== undefined) return known;
    const loaded = await this.load(record.uid);
    return loaded ? loaded.bytes.length : record.diskSize;
  }

  /** Tell listeners without a change on disk (e.g. after a rename). */
  touch(): void {
    this.version++;
    for (const listener of this.#listeners) listener();
  }

  /**
   * No session holds it any more: stop watching the folder and drop the messages it
   * kept read. (The wire sizes stay with the registry: a few bytes per message that
   * spare the next session reading every file again for RFC822.SIZE.)
   */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#recheck);
    this.#listeners.clear();
    this.#unwatch();
    this.#recent.clear();
  }
}

/**
 * The mailboxes of one server, so sessions on the same folder share one
 * {@linkcode SharedMailbox}. A folder's shared state lives while some session holds it
 * (has it selected, or is running a command on it) and is dropped, its watcher closed,
 * when the last one lets go: a server that saw a thousand folders keeps only those in use.
 */
export class MailboxRegistry {
  readonly #boxes = new Map<string, SharedMailbox>();
  readonly #keys = new WeakMap<SharedMailbox, string>();
  /** Per folder key: message sizes with CRLF line ends, which outlive the shared state. */
  readonly #wireSizes = new Map<string, Map<string, number>>();
  readonly #holders = new WeakMap<SharedMailbox, number>();
  /** Dropped mailboxes whose last changes are still being written, by key. */
  readonly #draining = new Map<string, Promise<void>>();

  /**
   * The shared mailbox of a user's folder, refreshed and held: call
   * {@linkcode MailboxRegistry.release} when done with it.
   *
   * @throws {Deno.errors.NotFound} no such folder.
   */
  async acquire(user: string, maildir: Maildir, folder: string): Promise<SharedMailbox> {
    const key = `${user}\0${folder}`;
    let box = this.#boxes.get(key);
    while (!box && this.#draining.has(key)) {
      // One object per folder at a time: a dropped one finishes writing first.
      await this.#draining.get(key);
      box = this.#boxes.get(key);
    }
    if (!box) {
      let sizes = this.#wireSizes.get(key);
      if (!sizes) this.#wireSizes.set(key, sizes = new Map());
      box = new SharedMailbox(maildir, folder, sizes);
      this.#boxes.set(key, box);
      this.#keys.set(box, key);
    }
    this.hold(box);
    try {
      await box.refresh();
    } catch (error) {
      this.release(box);
      throw error;
    }
    return box;
  }

  /** Hold a mailbox once more (a session selects it). */
  hold(box: SharedMailbox): void {
    this.#holders.set(box, (this.#holders.get(box) ?? 0) + 1);
  }

  /** Let go of a mailbox; the last one to let go drops it. */
  release(box: SharedMailbox): void {
    const left = (this.#holders.get(box) ?? 0) - 1;
    this.#holders.set(box, left);
    if (left > 0) return;
    const key = this.#keys.get(box);
    if (key !== undefined && this.#boxes.get(key) === box) {
      this.#boxes.delete(key);
      const drained: Promise<void> = box.settled().then(() => {
        if (this.#draining.get(key) === drained) this.#draining.delete(key);
      });
      this.#draining.set(key, drained);
    }
    box.close();
  }

  /**
   * Resolves once every mailbox has finished what it queued (commits, listings), those
   * dropped included: a server closing waits for it, so nothing writes into a Maildir
   * after the server said it was closed.
   */
  async settled(): Promise<void> {
    await Promise.all([
      ...this.#draining.values(),
      ...[...this.#boxes.values()].map((box) => box.settled()),
    ]);
  }

  /** How many folders have shared state now (for tests and benchmarks). */
  get size(): number {
    return this.#boxes.size;
  }

  /** Forget a folder (and its sub-folders) after DELETE or RENAME. */
  forget(user: string, folder: string): void {
    for (const [key, box] of this.#boxes) {
      if (
        key.startsWith(`${user}\0`) &&
        (box.folder === folder || box.folder.startsWith(folder + "/"))
      ) {
        this.#boxes.delete(key);
        box.touch();
      }
    }
    const gone = `${user}\0${folder}`;
    for (const key of this.#wireSizes.keys()) {
      if (key === gone || key.startsWith(gone + "/")) this.#wireSizes.delete(key);
    }
  }
}
