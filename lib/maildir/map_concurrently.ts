/**
 * Many file-system calls at once, but not all: each is a trip through Deno's thread pool,
 * so a few in flight hide one another's latency, while thousands would only queue there
 * and hold their promises in memory. Used for a folder's stat calls (maildir.ts) and for
 * the renames and removals of one IMAP change (lib/imap/mailbox.ts).
 *
 * @module
 */

/** `items.map(fn)` with at most `limit` calls in flight; the results keep the items' order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
