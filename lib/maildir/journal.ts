/**
 * A write-ahead journal: one data sync shared by every delivery in flight.
 *
 * Maildir's own delivery (maildir.ts) makes a server wait for two syncs in a row before it
 * may answer 250: the new file's data, then the folder holding its name. Each is a commit
 * of the filesystem's own journal. This file is the other way databases and queueing mail
 * servers use: append the message to one log file, sync that file, answer.
 *
 * - The file is written in full with zeros when it is created, once. Writing into it later
 *   allocates nothing and changes no size, so `fdatasync` has only the data to flush, not a
 *   filesystem commit: several times cheaper than syncing a new file.
 * - Records that arrive while a sync runs wait for the next one, and all of them share it
 *   (group commit): N sessions in flight cost one sync, not N.
 * - Each record carries a sequence number and a CRC-32. Reading back after a crash stops at
 *   the first record that is torn (bad CRC), or left from an earlier pass over the file
 *   (sequence number out of order): nothing after it was ever acknowledged.
 * - A checkpoint record says "every record up to n is filed elsewhere for good" (the
 *   store fills Maildir from the journal, see journaled_store.ts). Once everything written
 *   is filed, the next records go to the start of the file again, so it never grows.
 *
 * Record layout, little-endian:
 *
 * | bytes | field                                              |
 * | ----- | -------------------------------------------------- |
 * | 4     | magic "MJRN"                                       |
 * | 4     | CRC-32 of every byte after this field              |
 * | 8     | sequence number, one more than the record before   |
 * | 4     | kind: 1 entry, 2 checkpoint                        |
 * | 4     | body length                                        |
 * | n     | body (checkpoint: the sequence number filed up to) |
 *
 * @module
 */
import { crc32 } from "node:zlib";

/** "MJRN" read as a little-endian u32. */
const MAGIC = 0x4e524a4d;
const HEADER_BYTES = 24;
/** Record kinds. */
const KIND = { entry: 1, checkpoint: 2 } as const;
const CHECKPOINT_BYTES = HEADER_BYTES + 8;

/**
 * Default journal size: 64 MiB. Its first half holds what the filer may leave for later
 * while deliveries keep coming (journaled_store.ts): over a second of 4 KB messages at
 * several thousand a second.
 */
export const JOURNAL_BYTES = 64 * 1024 * 1024;

/** How much of the file {@linkcode Journal.open} reads at first: the chain usually ends in it. */
const FIRST_READ_BYTES = 1024 * 1024;

/** An entry read back or just made durable. */
export interface JournalEntry<T = unknown> {
  /** Its sequence number. */
  seq: number;
  /** What was appended. */
  body: Uint8Array;
  /**
   * What the appender passed along with the body ({@linkcode Journal.append}), so that it
   * need not decode the body again; absent from entries read back from the file.
   */
  value?: T;
}

/** Options of {@linkcode Journal.open}. */
export interface JournalOptions<T = unknown> {
  /** Size of the file when it is created (an existing file keeps its size). */
  bytes?: number;
  /** Called with every group of entries once it is durable, in order, before their appends resolve. */
  onDurable?: (entries: JournalEntry<T>[]) => void;
}

/** Encode one record at `at` of `target`; returns the bytes written. */
function writeRecord(target: Uint8Array, at: number, seq: number, kind: number, body: Uint8Array) {
  const view = new DataView(target.buffer, target.byteOffset + at, HEADER_BYTES);
  view.setUint32(0, MAGIC, true);
  view.setBigUint64(8, BigInt(seq), true);
  view.setUint32(16, kind, true);
  view.setUint32(20, body.length, true);
  target.set(body, at + HEADER_BYTES);
  const end = at + HEADER_BYTES + body.length;
  view.setUint32(4, crc32(target.subarray(at + 8, end)), true);
  return HEADER_BYTES + body.length;
}

/** The valid records at the start of `data`: the chain a crash left. */
export function readRecords(
  data: Uint8Array,
): { seq: number; kind: number; body: Uint8Array; end: number }[] {
  const records = [];
  let at = 0;
  let expected: number | undefined;
  while (at + HEADER_BYTES <= data.length) {
    const view = new DataView(data.buffer, data.byteOffset + at, HEADER_BYTES);
    if (view.getUint32(0, true) !== MAGIC) break;
    const length = view.getUint32(20, true);
    const end = at + HEADER_BYTES + length;
    if (end > data.length) break;
    if (crc32(data.subarray(at + 8, end)) !== view.getUint32(4, true)) break; // torn
    const seq = Number(view.getBigUint64(8, true));
    if (expected !== undefined && seq !== expected) break; // left from an earlier pass
    records.push({
      seq,
      kind: view.getUint32(16, true),
      body: data.subarray(at + HEADER_BYTES, end),
      end,
    });
    expected = seq + 1;
    at = end;
  }
  return records;
}

/**
 * Where the record starting at `at` of `data` would end, judged from its header alone, or
 * `null` when no record starts there (the chain ends). Past the end of `data` when `data`
 * holds only part of it.
 */
function claimedEnd(data: Uint8Array, at: number): number | null {
  if (at + HEADER_BYTES > data.length) return at + HEADER_BYTES;
  const view = new DataView(data.buffer, data.byteOffset + at, HEADER_BYTES);
  if (view.getUint32(0, true) !== MAGIC) return null;
  return at + HEADER_BYTES + view.getUint32(20, true);
}

/**
 * The start of the file, as far as its chain of records may reach: the rest is zeros or
 * records an earlier pass left, and a large journal need not be read whole to open it.
 * Read a piece at a time, each twice the last, until the chain ends inside what was read.
 */
async function readChainBytes(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  let data = new Uint8Array(Math.min(size, FIRST_READ_BYTES));
  let filled = 0;
  for (;;) {
    while (filled < data.length) {
      const count = await file.read(data.subarray(filled));
      if (count === null) return data.subarray(0, filled); // the file is shorter than its size
      filled += count;
    }
    const chainEnd = readRecords(data).at(-1)?.end ?? 0;
    const needed = claimedEnd(data, chainEnd);
    if (needed === null || needed <= data.length || data.length === size) return data;
    const larger = new Uint8Array(Math.min(size, Math.max(needed, data.length * 2)));
    larger.set(data);
    data = larger;
  }
}

interface Waiting<T> {
  body: Uint8Array;
  value?: T;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/** Make `path` a zero-filled file of `bytes`, atomically (written aside, then renamed). */
async function createZeroed(path: string, bytes: number): Promise<void> {
  const aside = `${path}.new`;
  {
    using file = await Deno.open(aside, { write: true, create: true, truncate: true, mode: 0o600 });
    const zeros = new Uint8Array(Math.min(bytes, 1024 * 1024));
    for (let written = 0; written < bytes;) {
      written += await file.write(zeros.subarray(0, Math.min(zeros.length, bytes - written)));
    }
    await file.sync();
  }
  await Deno.rename(aside, path);
  const slash = path.lastIndexOf("/");
  using dir = await Deno.open(slash > 0 ? path.slice(0, slash) : ".", { read: true });
  await dir.sync();
}

/**
 * A journal file with group commit. Single process: two processes must not open the
 * same file.
 */
export class Journal<T = unknown> {
  readonly #file: Deno.FsFile;
  readonly #size: number;
  readonly #onDurable: (entries: JournalEntry<T>[]) => void;
  /** Where the next group goes. */
  #position: number;
  /** The file's own offset, where the last write ended: no seek when the next group starts there. */
  #fileOffset = 0;
  #nextSeq: number;
  /** Sequence number of the last entry (not checkpoint) made durable. */
  #lastEntry: number;
  /** Every record up to this one is filed for good (see {@linkcode Journal.filed}). */
  #filed: number;
  /** The checkpoint the file holds. */
  #checkpointWritten: number;
  #queue: Waiting<T>[] = [];
  /** Where a group of up to 256 KiB is laid out before it is written. */
  readonly #buffer = new Uint8Array(256 * 1024);
  #flushing: Promise<void> | null = null;
  #caughtUp: (() => void)[] = [];
  #closed = false;
  #syncs = 0;

  private constructor(
    file: Deno.FsFile,
    size: number,
    lastSeq: number,
    lastEntry: number,
    filed: number,
    position: number,
    onDurable: (entries: JournalEntry<T>[]) => void,
  ) {
    this.#file = file;
    this.#size = size;
    this.#nextSeq = lastSeq + 1;
    this.#lastEntry = lastEntry;
    this.#filed = filed;
    this.#checkpointWritten = filed;
    this.#position = position;
    this.#onDurable = onDurable;
  }

  /**
   * Open the journal at `path`, creating it zero-filled if missing. Returns it with the
   * entries it holds that no checkpoint covers: acknowledged, maybe not filed yet.
   *
   * @example Append, then read back after a "crash" (the journal not closed cleanly)
   * ```ts
   * import { Journal } from "./journal.ts";
   * const dir = await Deno.makeTempDir();
   * const { journal } = await Journal.open(`${dir}/j`, { bytes: 64 * 1024 });
   * await journal.append(new TextEncoder().encode("hello"));
   * journal.close();
   * const { journal: again, unfiled } = await Journal.open(`${dir}/j`);
   * if (new TextDecoder().decode(unfiled[0].body) !== "hello") throw new Error("lost");
   * again.close();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static async open<T = unknown>(
    path: string,
    options: JournalOptions<T> = {},
  ): Promise<{ journal: Journal<T>; unfiled: JournalEntry<T>[] }> {
    const wanted = options.bytes ?? JOURNAL_BYTES;
    const existing = await Deno.stat(path).catch(() => null);
    if (!existing) await createZeroed(path, wanted);
    const file = await Deno.open(path, { read: true, write: true });
    const size = (await file.stat()).size;
    let data: Uint8Array;
    try {
      data = await readChainBytes(file, size);
      await file.seek(0, Deno.SeekMode.Start); // where the journal's writes expect the offset
    } catch (error) {
      file.close();
      throw error;
    }
    const records = readRecords(data);
    let filed = 0;
    for (const record of records) {
      if (record.kind !== KIND.checkpoint) continue;
      filed = Math.max(
        filed,
        Number(new DataView(record.body.buffer, record.body.byteOffset).getBigUint64(0, true)),
      );
    }
    const unfiled = records
      .filter((record) => record.kind === KIND.entry && record.seq > filed)
      .map(({ seq, body }) => ({ seq, body: body.slice() }));
    const last = records.at(-1);
    const lastSeq = last?.seq ?? 0;
    const lastEntry = records.findLast((record) => record.kind === KIND.entry)?.seq ?? 0;
    const journal = new Journal<T>(
      file,
      size,
      lastSeq,
      lastEntry,
      unfiled.length === 0 ? lastEntry : filed,
      last?.end ?? 0,
      options.onDurable ?? (() => {}),
    );
    return { journal, unfiled };
  }

  /** Largest body one record can hold: a quarter of the file, so a pass holds several. */
  get maxBodyBytes(): number {
    return Math.floor(this.#size / 4) - HEADER_BYTES - CHECKPOINT_BYTES;
  }

  /**
   * How full the file is, from 0 to 1: how far the records written since it last started
   * again at the top reach. When it is full, appends wait until everything is filed.
   */
  get fill(): number {
    return this.#position / this.#size;
  }

  /** How many data syncs so far (the group commits). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Sequence number of the last entry made durable: every append resolved so far is at most this. */
  get durable(): number {
    return this.#lastEntry;
  }

  /**
   * Append `body`. Resolves with its sequence number once it is on disk: written and
   * fdatasynced, together with every other entry that arrived meanwhile. `value` goes to
   * `onDurable` with the entry, not to the file.
   *
   * @throws {RangeError} the body is larger than {@linkcode Journal.maxBodyBytes}.
   */
  append(body: Uint8Array, value?: T): Promise<number> {
    if (this.#closed) {
      return Promise.reject(new Error("Cannot append to the journal: it is closed"));
    }
    if (body.length > this.maxBodyBytes) {
      return Promise.reject(
        new RangeError(
          `Cannot append ${body.length} bytes: a record holds at most ${this.maxBodyBytes}`,
        ),
      );
    }
    const waiting = Promise.withResolvers<number>();
    this.#queue.push({ body, value, resolve: waiting.resolve, reject: waiting.reject });
    this.#startFlush();
    return waiting.promise;
  }

  /**
   * Say that every entry up to `seq` is filed for good elsewhere. The checkpoint is
   * written with the next group (or on its own, soon), and those records may then be
   * overwritten.
   */
  filed(seq: number): void {
    if (seq <= this.#filed) return;
    this.#filed = seq;
    if (this.#filed >= this.#lastEntry) { for (const wake of this.#caughtUp.splice(0)) wake(); }
    if (!this.#closed) this.#startFlush();
  }

  /** Finish the group being written, then close the file. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#caughtUp.splice(0)) wake();
    while (this.#flushing) await this.#flushing; // and any flush it started on its way out
    this.#file.close();
  }

  /** Write and sync what waits, unless a flush is running: it takes along whatever arrives. */
  #startFlush(): void {
    if (this.#flushing) return;
    this.#flushing = this.#flush().then((wrote) => {
      this.#flushing = null;
      // An append made after the loop's last look, while its promise settled: the
      // running flush no longer takes it, so a new one must. A checkpoint left over after
      // a failed write waits for the next append or filed(), rather than being retried at once
      // against a disk that just failed.
      const checkpointDue = !this.#closed && this.#filed > this.#checkpointWritten;
      if (this.#queue.length > 0 || (wrote && checkpointDue)) this.#startFlush();
    });
  }

  /** Write groups until nothing waits; false if a write failed (what waited was refused). */
  async #flush(): Promise<boolean> {
    while (this.#queue.length > 0 || this.#filed > this.#checkpointWritten) {
      // Take what fits in one pass over the file; the rest waits for the next group.
      let bytes = CHECKPOINT_BYTES;
      let count = 0;
      while (count < this.#queue.length) {
        const next = HEADER_BYTES + this.#queue[count].body.length;
        if (bytes + next > this.#size) break;
        bytes += next;
        count++;
      }
      const group = this.#queue.splice(0, count);
      try {
        await this.#writeGroup(group, bytes);
      } catch (error) {
        // The file's state on disk is unknown now: refuse everything waiting (a 451
        // for the client, who will retry) rather than acknowledge it.
        for (const waiting of [...group, ...this.#queue.splice(0)]) waiting.reject(error);
        return false;
      }
    }
    return true;
  }

  async #writeGroup(group: Waiting<T>[], bytes: number): Promise<void> {
    // Everything written is filed: start again at the top, overwriting nothing needed.
    // Otherwise append after the last record, and when the file is full, wait until the
    // store has filed what it holds (the journal's back pressure).
    if (this.#filed >= this.#lastEntry) {
      this.#position = 0;
    } else if (this.#position + bytes > this.#size) {
      await new Promise<void>((wake) => this.#caughtUp.push(wake));
      if (this.#filed < this.#lastEntry) throw new Error("Cannot write the journal: it is closed");
      this.#position = 0;
    }
    // One buffer for the usual group: a new one each time would hand the garbage
    // collector tens of kilobytes a millisecond under load. A rare large group gets its
    // own, so that one burst of big messages does not stay in memory for good.
    const buffer = bytes <= this.#buffer.length ? this.#buffer : new Uint8Array(bytes);
    let at = 0;
    let seq = this.#nextSeq;
    const checkpoint = this.#filed;
    // At the top of the file the checkpoint also ends the previous pass's chain, so a
    // replay does not bring back entries that were filed (and maybe deleted since).
    if (checkpoint > this.#checkpointWritten) {
      const body = new Uint8Array(8);
      new DataView(body.buffer).setBigUint64(0, BigInt(checkpoint), true);
      at += writeRecord(buffer, at, seq++, KIND.checkpoint, body);
    }
    const entries: JournalEntry<T>[] = [];
    for (const waiting of group) {
      entries.push({ seq, body: waiting.body, value: waiting.value });
      at += writeRecord(buffer, at, seq++, KIND.entry, waiting.body);
    }
    if (this.#fileOffset !== this.#position) {
      this.#fileOffset = this.#file.seekSync(this.#position, Deno.SeekMode.Start);
    }
    for (let written = 0; written < at;) {
      const count = this.#file.writeSync(buffer.subarray(written, at));
      written += count;
      this.#fileOffset += count;
    }
    await this.#file.syncData();
    this.#syncs++;
    this.#position += at;
    this.#nextSeq = seq;
    this.#checkpointWritten = Math.max(this.#checkpointWritten, checkpoint);
    if (entries.length > 0) this.#lastEntry = entries.at(-1)!.seq;
    if (entries.length > 0) this.#onDurable(entries);
    for (let i = 0; i < group.length; i++) group[i].resolve(entries[i].seq);
  }
}
