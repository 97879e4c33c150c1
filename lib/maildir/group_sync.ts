/**
 * Group commit for directory syncs.
 *
 * `fsync` on a directory makes durable every entry created in it before the call began.
 * When several deliveries land in the same `new/` at once, each used to pay for its own
 * directory sync, and the disk did them one after another. A delivery cannot simply
 * piggyback on a sync that is already running, because that sync may have started before
 * its link was made. So a caller that arrives while a sync runs waits for the next one,
 * and everyone who arrives during that one sync shares the next: N concurrent deliveries
 * cost about two directory syncs instead of N, and each still resolves only after a sync
 * that began after its own link. This is the trick databases call group commit.
 *
 * @module
 */

/** An open directory: what a sync needs. `Deno.FsFile` has this shape. */
export interface OpenDirectory {
  sync(): Promise<void>;
  close(): void;
}

/** Open a directory for syncing. */
function openDirectory(path: string): Promise<OpenDirectory> {
  return Deno.open(path, { read: true });
}

/** One directory's sync in flight, the directory it holds open, and the sync queued behind it. */
interface Slot {
  directory: Promise<OpenDirectory>;
  running: Promise<void>;
  next?: Promise<void>;
}

/**
 * Shares directory syncs between concurrent callers, per directory path. While syncs of a
 * directory follow one another, it stays open; it is closed once nobody waits.
 */
export class GroupSync {
  readonly #slots = new Map<string, Slot>();
  readonly #open: (path: string) => Promise<OpenDirectory>;
  #syncs = 0;

  /** `open` gives the directory to sync; tests pass a counting fake. */
  constructor(open: (path: string) => Promise<OpenDirectory> = openDirectory) {
    this.#open = open;
  }

  /** How many real directory syncs were started so far. */
  get syncs(): number {
    return this.#syncs;
  }

  /**
   * Resolves once a sync of `path` that began after this call has finished, so every
   * entry made in `path` before the call is durable. Rejects if that sync fails.
   *
   * @example Three callers at once share two syncs
   * ```ts
   * import { GroupSync } from "./group_sync.ts";
   * const slowDisk = { sync: () => new Promise<void>((ok) => setTimeout(ok, 5)), close() {} };
   * const group = new GroupSync(() => Promise.resolve(slowDisk));
   * await Promise.all([group.sync("/d"), group.sync("/d"), group.sync("/d")]);
   * if (group.syncs !== 2) throw new Error(`expected 2 syncs, got ${group.syncs}`);
   * ```
   */
  sync(path: string): Promise<void> {
    const slot = this.#slots.get(path);
    if (!slot) return this.#start(path);
    // The running sync may predate the caller's entry: queue one more, shared by all
    // who arrive before it starts. It reuses the open directory unless that failed.
    slot.next ??= slot.running.then(
      () => this.#start(path, slot.directory),
      () => {
        slot.directory.then((directory) => directory.close(), () => {});
        return this.#start(path);
      },
    );
    return slot.next;
  }

  #start(path: string, directory = this.#open(path)): Promise<void> {
    this.#syncs++;
    const slot: Slot = { directory, running: directory.then((open) => open.sync()) };
    this.#slots.set(path, slot);
    const settle = () => {
      if (this.#slots.get(path) !== slot || slot.next !== undefined) return;
      this.#slots.delete(path);
      directory.then((open) => open.close(), () => {});
    };
    slot.running.then(settle, settle);
    return slot.running;
  }
}
