/**
 * One-at-a-time per key, for asynchronous work in one process.
 *
 * Two flag changes of the same message must not interleave: each renames the file, and
 * the second would rename a name the first has just moved away.
 *
 * @module
 */

/** Runs tasks with the same key one after another, in call order. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /**
   * Run `task` once every earlier task with the same key has settled.
   *
   * @example
   * ```ts
   * import { KeyedLock } from "./keyed_lock.ts";
   * const lock = new KeyedLock();
   * const order: number[] = [];
   * await Promise.all([
   *   lock.run("a", async () => { await Promise.resolve(); order.push(1); }),
   *   lock.run("a", () => { order.push(2); return Promise.resolve(); }),
   * ]);
   * if (order.join() !== "1,2") throw new Error("unexpected");
   * ```
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(() => {}, () => {});
    this.#tails.set(key, tail);
    tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
