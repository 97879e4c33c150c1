/**
 * A MailStore whose deliveries go through a journal first: the SMTP server's store.
 *
 * ```
 *  sessions ──DATA──▶ accept() ──append──▶ .journal ──one fdatasync per group──▶ 250 to all
 *                                              │
 *                              filer, in groups: tmp/ ─one syncfs─▶ rename into new/ ─sync─▶ checkpoint
 * ```
 *
 * `accept()` resolves once the message is in the journal and synced: a crash after that
 * loses nothing, so the server may answer 250. The filer then files each group of
 * messages into Maildir the spec's way (`Maildir.deliverMany`: data synced before the
 * name appears in new/, so readers never see a partial message) and checkpoints the
 * journal. After a crash, {@linkcode JournaledMailStore.open} files whatever the journal
 * holds past its last checkpoint, skipping names already there, before anyone reads.
 *
 * The filer yields to deliveries. Every write it makes goes to the disk the journal syncs
 * to, and each journal sync ends with a flush of the disk's cache that then waits for
 * those writes too; its work also takes a core from the sessions. So while messages keep
 * arriving, it waits: it files once they pause ({@linkcode FILING_LULL_MS}), or once the
 * oldest message has waited {@linkcode MAX_FILING_DELAY_MS}, or the journal is half full.
 * A burst is answered at the journal's pace and filed just after it; under steady load the
 * filer files what is a second old, group after group.
 *
 * The price: a message reaches new/ after its 250, not before: milliseconds later when the
 * server is quiet, up to a second later when it is busy. Readers in this process that ask
 * {@linkcode JournaledMailStore.mailbox} do not wait for the lull: they have the filer file
 * at once. Programs reading the folder directly (Dovecot, mutt) see a message that much
 * later, as they would with Postfix, which also answers once its queue file is synced and
 * delivers afterwards.
 *
 * @module
 */
import { checkUserName } from "./names.ts";
import { uniqueName } from "./filename.ts";
import { FilerThread } from "./filing.ts";
import { Journal, JOURNAL_BYTES, type JournalEntry } from "./journal.ts";
import type { Maildir } from "./maildir.ts";
import { MailStore } from "./store.ts";

/** Name of the journal file in the store's root (a dot file: no user can have it). */
export const JOURNAL_FILE = ".journal";

/** Messages filed into Maildir per group at most. */
const FILE_GROUP = 256;

/**
 * How long deliveries must pause before the filer takes the disk: a pause this long
 * means the sessions have nothing waiting for a journal sync.
 */
export const FILING_LULL_MS = 5;

/**
 * The longest a message waits in the journal for a lull, however busy the server: how
 * late a program reading the folder directly can see it.
 */
export const MAX_FILING_DELAY_MS = 1000;

/** Once the journal is this full, the filer files at once: when it is full, every delivery waits. */
const FILE_AT_ONCE_FILL = 0.5;

/**
 * After a group failed to file (a full disk, a folder removed under us), the wait before the
 * same group is tried again: the journal keeps it meanwhile, so nothing is lost by waiting,
 * and a disk that stays full is not hammered.
 */
const RETRY_FILING_MS = 1000;

/** Options of {@linkcode JournaledMailStore.open}. */
export interface JournaledStoreOptions {
  /** Size of the journal file when created. Default {@linkcode JOURNAL_BYTES}. */
  journalBytes?: number;
  /** Filing failed (it is tried again a second later). Default `console.error`. */
  onError?: (error: unknown) => void;
  /** The pause in deliveries the filer waits for. Default {@linkcode FILING_LULL_MS}. */
  lullMs?: number;
  /** The longest a message waits for that pause. Default {@linkcode MAX_FILING_DELAY_MS}. */
  maxFilingDelayMs?: number;
}

/** One message to file: its Maildir name, who it is for, its bytes (what a journal entry holds). */
interface Delivery {
  id: string;
  users: string[];
  bytes: Uint8Array;
}

/** A delivery accepted into the journal, with its entry's sequence number. */
interface Accepted extends Delivery {
  seq: number;
  /** When it became durable (`performance.now()`), for the filer's longest wait. */
  durableAt: number;
}

/** What the filer waits for: a pause in deliveries, or a message waiting too long. */
interface FilingDelays {
  lullMs: number;
  maxMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A journal entry's body: a JSON line `{"id":…,"users":[…]}`, then the message. */
export function encodeJournalEntry(id: string, users: string[], bytes: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify({ id, users }) + "\n");
  const body = new Uint8Array(head.length + bytes.length);
  body.set(head);
  body.set(bytes, head.length);
  return body;
}

/** A journal entry as the store uses it: decoded from its body only when read back after a crash. */
function decodeEntry({ seq, body, value }: JournalEntry<Delivery>, durableAt: number): Accepted {
  if (value) return { seq, durableAt, ...value };
  const newline = body.indexOf(10);
  const { id, users } = JSON.parse(decoder.decode(body.subarray(0, newline)));
  return { seq, durableAt, id, users, bytes: body.subarray(newline + 1) };
}

/** A {@linkcode MailStore} with a group-committed journal in front of its Maildirs. */
export class JournaledMailStore extends MailStore {
  readonly #journal: Journal<Delivery>;
  readonly #onError: (error: unknown) => void;
  readonly #delays: FilingDelays;
  /** Files into Maildir off the event loop that serves the sessions. */
  readonly #thread = new FilerThread();
  /** Durable, not yet filed, in journal order. */
  readonly #toFile: Accepted[] = [];
  /** When the last group became durable: deliveries are still arriving if it was just now. */
  #lastQueuedAt = -Infinity;
  #filing: Promise<void> | null = null;
  /** Everything up to this sequence number is in Maildir for good. */
  #filed = 0;
  #waiters: { seq: number; wake: () => void }[] = [];
  #closed = false;
  #replayed = 0;
  /** Ends the filer's wait for a lull, when it waits. */
  #hurry: (() => void) | null = null;

  private constructor(
    root: string,
    journal: Journal<Delivery>,
    onError: (error: unknown) => void,
    delays: FilingDelays,
  ) {
    super(root);
    this.#journal = journal;
    this.#onError = onError;
    this.#delays = delays;
  }

  /**
   * Open the store at `root` (created if missing) and its journal; first file into
   * Maildir every message the journal holds past its last checkpoint (what a crash left).
   *
   * @example Accept, then read through the same store
   * ```ts
   * import { JournaledMailStore } from "./journaled_store.ts";
   * const root = await Deno.makeTempDir();
   * await using store = await JournaledMailStore.open(root, { journalBytes: 256 * 1024 });
   * await store.accept(["bob"], new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
   * if ((await (await store.mailbox("bob")).list()).length !== 1) throw new Error("not filed");
   * await store.close();
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  static async open(
    root: string,
    options: JournaledStoreOptions = {},
  ): Promise<JournaledMailStore> {
    await Deno.mkdir(root, { recursive: true, mode: 0o700 });
    // Durable groups go to the filer, which exists once the journal is open.
    const filer: { queue?: (entries: Accepted[]) => void } = {};
    const { journal, unfiled } = await Journal.open<Delivery>(
      `${root}/${JOURNAL_FILE}`,
      {
        bytes: options.journalBytes ?? JOURNAL_BYTES,
        onDurable: (entries) => {
          const now = performance.now();
          filer.queue!(entries.map((entry) => decodeEntry(entry, now)));
        },
      },
    );
    const store = new JournaledMailStore(
      root,
      journal,
      options.onError ?? ((error) => console.error("Cannot file mail into Maildir:", error)),
      {
        lullMs: options.lullMs ?? FILING_LULL_MS,
        maxMs: options.maxFilingDelayMs ?? MAX_FILING_DELAY_MS,
      },
    );
    filer.queue = (accepted) => store.#queue(accepted);
    try {
      const replay = unfiled.map((entry) => decodeEntry(entry, 0));
      if (replay.length > 0) {
        await store.#fileGroup(replay, true);
        journal.filed(replay.at(-1)!.seq);
      }
      store.#replayed = replay.length;
      store.#filed = journal.durable;
    } catch (error) {
      store.#thread.close();
      await journal.close();
      throw error;
    }
    return store;
  }

  /** How many messages the last open filed from the journal (what a crash had left). */
  get replayed(): number {
    return this.#replayed;
  }

  /** How many data syncs the journal made so far: one per group of accepted messages. */
  get journalSyncs(): number {
    return this.#journal.syncs;
  }

  /**
   * Take responsibility for a message to `users` (RFC 5321 6.1: from the 250 on, the
   * server must not lose it). Resolves once it is in the journal on disk; it reaches each
   * user's INBOX shortly after. A message too large for the journal is delivered straight
   * into Maildir instead, and resolves when that is durable.
   *
   * @throws {MailboxNameError} a user name is unsafe as a directory name.
   */
  async accept(users: readonly string[], bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error("Cannot accept mail: the store is closed");
    for (const user of users) checkUserName(user);
    const delivery: Delivery = { id: uniqueName(), users: [...users], bytes };
    const body = encodeJournalEntry(delivery.id, delivery.users, bytes);
    if (body.length > this.#journal.maxBodyBytes) {
      await Promise.all(users.map(async (user) => (await super.mailbox(user)).deliver(bytes)));
      return;
    }
    await this.#journal.append(body, delivery);
  }

  /**
   * The user's Maildir, once every message accepted so far is filed into it: what this
   * process acknowledged, its own readers (POP3, IMAP) see.
   */
  override async mailbox(user: string): Promise<Maildir> {
    await this.#filedThrough(this.#journal.durable);
    return await super.mailbox(user);
  }

  /** Resolves once everything accepted so far is in Maildir. */
  settled(): Promise<void> {
    return this.#filedThrough(this.#journal.durable);
  }

  /** File what is pending, write the last checkpoint and close the journal. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hurry?.();
    await this.#filing;
    this.#thread.close();
    await this.#journal.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #filedThrough(seq: number): Promise<void> {
    if (this.#filed >= seq) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ seq, wake: resolve });
    this.#hurry?.();
    return promise;
  }

  #queue(accepted: Accepted[]): void {
    this.#toFile.push(...accepted);
    this.#lastQueuedAt = accepted[0].durableAt;
    if (this.#journal.fill >= FILE_AT_ONCE_FILL) this.#hurry?.();
    this.#startFiling();
  }

  /** Run the filer, unless it runs: it takes along whatever is queued meanwhile. */
  #startFiling(): void {
    if (this.#filing) return;
    this.#filing = this.#fileAll().finally(() => {
      this.#filing = null;
      // Queued after the filer's last look, while its promise settled.
      if (this.#toFile.length > 0 && !this.#closed) this.#startFiling();
    });
  }

  /** The filer: groups in journal order, each filed once deliveries leave it room, then checkpointed. */
  async #fileAll(): Promise<void> {
    let retry = false;
    while (this.#toFile.length > 0) {
      await this.#waitForLull();
      const group = this.#toFile.slice(0, FILE_GROUP);
      try {
        await this.#fileGroup(group, retry);
        retry = false;
      } catch (error) {
        this.#onError(error);
        // Closing: the journal keeps the group, and the next open files it.
        if (this.#closed) return;
        await new Promise((wake) => setTimeout(wake, RETRY_FILING_MS));
        retry = true; // the same group again, skipping names already filed
        continue;
      }
      this.#toFile.splice(0, group.length);
      this.#filed = group.at(-1)!.seq;
      this.#journal.filed(this.#filed);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (waiter.seq > this.#filed) return true;
        waiter.wake();
        return false;
      });
    }
  }

  /**
   * Wait while deliveries keep arriving, until they pause for the lull, the oldest message
   * waiting has waited the longest it may, or filing cannot wait: a reader in this process
   * waits for it, the store closes, or the journal is half full (when it is full, every
   * delivery waits until all it holds is filed, so the filer must not lag behind then).
   */
  async #waitForLull(): Promise<void> {
    for (;;) {
      if (this.#waiters.length > 0 || this.#closed) return;
      if (this.#journal.fill >= FILE_AT_ONCE_FILL) return;
      const now = performance.now();
      const wait = Math.min(
        this.#lastQueuedAt + this.#delays.lullMs - now,
        this.#toFile[0].durableAt + this.#delays.maxMs - now,
      );
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.#hurry!(), wait);
        this.#hurry = () => {
          clearTimeout(timer);
          this.#hurry = null;
          resolve();
        };
      });
    }
  }

  async #fileGroup(group: Accepted[], skipExisting: boolean): Promise<void> {
    const byUser = new Map<string, Accepted[]>();
    for (const message of group) {
      for (const user of message.users) {
        let list = byUser.get(user);
        if (!list) byUser.set(user, list = []);
        list.push(message);
      }
    }
    await Promise.all([...byUser].map(async ([user, messages]) => {
      const maildir = await super.mailbox(user);
      await maildir.deliverMany(messages, { skipExisting, filer: this.#thread.file });
    }));
  }
}
