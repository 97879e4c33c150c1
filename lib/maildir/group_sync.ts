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

import { syncDirectory } from "./durable.ts";

/** One directory's sync in flight, and the one queued behind it. */
interface Slot {
  running: Promise<void>;
  next?: Promise<void>;
}

/** Shares directory syncs between concurrent callers, per directory path. */
export class GroupSync {
  readonly #slots = new Map<string, Slot>();
  readonly #sync: (path: string) => Promise<void>;
  #syncs = 0;

  /** `sync` does the real work; tests pass a counting fake. */
  constructor(sync: (path: string) => Promise<void> = syncDirectory) {
    this.#sync = sync;
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
   * const group = new GroupSync(() => new Promise((resolve) => setTimeout(resolve, 5)));
   * await Promise.all([group.sync("/d"), group.sync("/d"), group.sync("/d")]);
   * if (group.syncs !== 2) throw new Error(`expected 2 syncs, got ${group.syncs}`);
   * ```
   */
  sync(path: string): Promise<void> {
    const slot = this.#slots.get(path);
    if (!slot) return this.#start(path);
    // The running sync may predate the caller's entry: queue one more, shared by all
    // who arrive before it starts.
    slot.next ??= slot.running.then(
      () => this.#start(path),
      () => this.#start(path),
    );
    return slot.next;
  }

  #start(path: string): Promise<void> {
    this.#syncs++;
    const slot: Slot = { running: this.#sync(path) };
    this.#slots.set(path, slot);
    const clear = () => {
      if (this.#slots.get(path) === slot && slot.next === undefined) this.#slots.delete(path);
    };
    slot.running.then(clear, clear);
    return slot.running;
  }
}
