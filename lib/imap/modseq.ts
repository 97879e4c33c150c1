/**
 * Modification sequences that survive restarts (RFC 7162 3.1): every message carries a
 * MODSEQ, a number that grows each time its flags change, and the folder a
 * HIGHESTMODSEQ, the largest of them. A client that remembers the HIGHESTMODSEQ it last
 * saw asks "what changed since?" and gets only that. QRESYNC (RFC 7162 3.2) also needs
 * to know which UIDs were expunged since a given MODSEQ.
 *
 * The folder's flags live in its Maildir file names, where any program may change them
 * (mutt, Dovecot, a learner's script): so modseqs are not handed out by the commands
 * that change flags, but by comparing what is on disk with what this log last saw. Each
 * message's entry remembers the flag letters it was stamped for; whenever a rescan of
 * the folder finds different letters, a message the log does not know, or a known
 * message gone, the whole batch of changes gets the next MODSEQ. Dovecot does the same
 * when it syncs its index with a Maildir changed behind its back.
 *
 * The log is the file `course-modseq` in the folder, beside `course-uidlist`:
 *
 * ```text
 * course-modseq 1 <uidvalidity> <forgotten>
 * <modseq> <uid> =<letters>      a message's flags were stamped with this MODSEQ
 * <modseq> <uid> !               the message was expunged at this MODSEQ
 * ```
 *
 * Changes are appended and flushed to disk (fdatasync) before the server answers, so a
 * change a client was told about is on disk; replaying the file gives the state back,
 * the last line per UID winning. A crash in the middle of an append leaves a last line
 * without its newline: it is ignored, and the file is rewritten at once. When the file
 * has grown to more than twice the lines it needs, it is rewritten whole the way the
 * uidlist is (temporary file, flush, rename), so a crash leaves the old or the new one.
 *
 * Expunged UIDs are kept for QRESYNC, but not forever: the newest
 * {@linkcode MAX_EXPUNGED} of them. `forgotten` is the highest MODSEQ of an expunge
 * that was dropped; a client asking what vanished since an older MODSEQ is told every
 * UID below UIDNEXT that no longer exists (RFC 7162 3.2.5.1 allows a server that does
 * not remember every expunge to answer with more UIDs than vanished).
 *
 * Deleting `course-modseq` is like deleting Dovecot's index: the numbers start again
 * from 1, and a client that remembered a higher HIGHESTMODSEQ misses changes until it
 * resynchronizes in full.
 *
 * @module
 */

/** The file name inside each Maildir folder. */
export const MODSEQ_FILE = "course-modseq";

/** How many expunged UIDs a folder remembers for QRESYNC. */
export const MAX_EXPUNGED = 10_000;

/** What the log needs to know of each message in the folder. */
export interface ObservedMessage {
  uid: number;
  /** Maildir flag letters, keywords included. */
  letters: string;
}

/** One entry of the log per message. */
interface Stamp {
  modseq: number;
  letters: string;
}

let counter = 0; // temporary file names
const encoder = new TextEncoder();

/** The MODSEQs of one folder. */
export class ModseqLog {
  /** The folder's directory. */
  readonly dir: string;
  /** The UIDVALIDITY the numbers belong to; another one starts the messages over. */
  uidValidity: number;
  /** RFC 7162 3.1.2.1: the highest MODSEQ of the folder (never goes down). */
  highest = 0;
  /** Expunges up to this MODSEQ may have been forgotten. */
  forgotten = 0;
  readonly #messages = new Map<number, Stamp>();
  /** Expunged UID to the MODSEQ of its expunge, oldest first. */
  readonly #expunged = new Map<number, number>();
  /** Lines in the file (to decide when to rewrite it). */
  #lines = 0;
  /** A log just started: its first look at the folder stamps what is there with 1. */
  #fresh = false;

  private constructor(dir: string, uidValidity: number) {
    this.dir = dir;
    this.uidValidity = uidValidity;
  }

  /** Read the folder's log, or start one (rewriting a torn or foreign file). */
  static async open(dir: string, uidValidity: number): Promise<ModseqLog> {
    const log = new ModseqLog(dir, uidValidity);
    let text = "";
    try {
      text = await Deno.readTextFile(`${dir}/${MODSEQ_FILE}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (!text) {
      // RFC 7162 7: HIGHESTMODSEQ is a positive mod-sequence-value, even for an empty mailbox.
      log.highest = 1;
      log.#fresh = true;
    }
    if (!log.#replay(text)) await log.#rewrite();
    // A log with no stamps yet belonged to an empty folder, which reported HIGHESTMODSEQ
    // 1: the first change after reopening it must get 2, or a client that saw the empty
    // folder would miss it (RFC 7162 3.1.2.1: it never goes down, and grows with each change).
    if (log.highest === 0) log.highest = 1;
    return log;
  }

  /** Load the file's text; false when it has to be written again (new, torn, other UIDVALIDITY). */
  #replay(text: string): boolean {
    const lines = text.split("\n");
    const head = /^course-modseq 1 (\d+) (\d+)$/.exec(lines[0] ?? "");
    if (!head) return false;
    const torn = lines.at(-1) !== "";
    lines.pop(); // the part after the last newline: "" or a torn line
    for (const line of lines.slice(1)) {
      const m = /^(\d+) (\d+) (!|=[A-Za-z]*)$/.exec(line);
      if (!m) continue;
      const [modseq, uid] = [Number(m[1]), Number(m[2])];
      this.highest = Math.max(this.highest, modseq);
      if (m[3] === "!") {
        this.#messages.delete(uid);
        this.#expunged.delete(uid);
        this.#expunged.set(uid, modseq);
      } else {
        this.#messages.set(uid, { modseq, letters: m[3].slice(1) });
      }
    }
    this.#lines = lines.length;
    this.forgotten = Number(head[2]);
    this.#trimExpunged();
    if (Number(head[1]) !== this.uidValidity) {
      // New UIDs: nothing known about the old ones matters; the numbers keep growing.
      this.#messages.clear();
      this.#expunged.clear();
      this.forgotten = this.highest;
      return false;
    }
    return !torn;
  }

  /** The MODSEQ of a message, or 0 if the log has not seen it. */
  modseqOf(uid: number): number {
    return this.#messages.get(uid)?.modseq ?? 0;
  }

  /**
   * Compare the folder as it is now with what the log saw last, and stamp every
   * difference (a new message, changed letters, a message gone) with the next MODSEQ,
   * on disk before this resolves. Returns true when something changed.
   */
  async observe(messages: Iterable<ObservedMessage>): Promise<boolean> {
    const modseq = this.#fresh ? this.highest : this.highest + 1;
    this.#fresh = false;
    const lines: string[] = [];
    const present = new Set<number>();
    for (const { uid, letters } of messages) {
      present.add(uid);
      if (this.#messages.get(uid)?.letters === letters) continue;
      this.#messages.set(uid, { modseq, letters });
      lines.push(`${modseq} ${uid} =${letters}`);
    }
    for (const uid of this.#messages.keys()) {
      if (present.has(uid)) continue;
      this.#messages.delete(uid);
      this.#expunged.set(uid, modseq);
      lines.push(`${modseq} ${uid} !`);
    }
    if (!lines.length) return false;
    this.highest = modseq;
    this.#trimExpunged();
    const needed = this.#messages.size + this.#expunged.size;
    if (this.#lines + lines.length > 2 * needed + 1000) {
      await this.#rewrite();
    } else {
      await appendSynced(`${this.dir}/${MODSEQ_FILE}`, lines.join("\n") + "\n");
      this.#lines += lines.length;
    }
    return true;
  }

  /**
   * The UIDs expunged after `modseq` (RFC 7162 3.2.5.1, 3.2.6), ascending; null when
   * some expunges after it may have been forgotten (or the number is from a log that
   * was lost), so that the caller must treat every UID not in the folder as vanished.
   */
  vanishedSince(modseq: number): number[] | null {
    if (modseq < this.forgotten || modseq > this.highest) return null;
    const out: number[] = [];
    for (const [uid, at] of this.#expunged) if (at > modseq) out.push(uid);
    return out.sort((a, b) => a - b);
  }

  /** Keep the newest {@linkcode MAX_EXPUNGED} expunges; remember up to where some were dropped. */
  #trimExpunged(): void {
    while (this.#expunged.size > MAX_EXPUNGED) {
      const [uid, modseq] = this.#expunged.entries().next().value!;
      this.#expunged.delete(uid);
      this.forgotten = Math.max(this.forgotten, modseq);
    }
  }

  /** Write the whole log again: temporary file, flushed, renamed over the old one. */
  async #rewrite(): Promise<void> {
    const lines = [`course-modseq 1 ${this.uidValidity} ${this.forgotten}`];
    for (const [uid, modseq] of this.#expunged) lines.push(`${modseq} ${uid} !`);
    const stamps = [...this.#messages].sort((a, b) => a[0] - b[0]);
    for (const [uid, { modseq, letters }] of stamps) lines.push(`${modseq} ${uid} =${letters}`);
    const path = `${this.dir}/${MODSEQ_FILE}`;
    const tmp = `${path}.${Deno.pid}.${++counter}.tmp`;
    await writeSynced(tmp, lines.join("\n") + "\n", false);
    await Deno.rename(tmp, path);
    this.#lines = lines.length;
  }
}

/** Append text to a file and flush it to disk. */
function appendSynced(path: string, text: string): Promise<void> {
  return writeSynced(path, text, true);
}

async function writeSynced(path: string, text: string, append: boolean): Promise<void> {
  const file = await Deno.open(path, {
    write: true,
    create: true,
    append,
    truncate: !append,
    mode: 0o600,
  });
  try {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.syncData();
  } finally {
    file.close();
  }
}
