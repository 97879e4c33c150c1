/**
 * Stale tmp/ files removed now and then, for servers that run for days.
 *
 * A delivery that crashes between writing its tmp/ file and linking it into new/ leaves
 * the file behind. The maildir spec says to remove such files once they are more than
 * 36 hours old (younger ones may be deliveries in progress). `MailStore` does it when it
 * first opens a user's Maildir; a long-running server also sweeps every so often, which
 * is what this timer does.
 *
 * @module
 */

/** What gets swept: `MailStore` has this shape. */
export interface TmpCleaner {
  cleanTmp(): Promise<number>;
}

/** Options for {@linkcode sweepTmpPeriodically}. */
export interface TmpSweepOptions {
  /** Time between the end of one sweep and the start of the next. Default one hour. */
  intervalMs?: number;
  /** Called after each sweep with the number of files removed. */
  onSweep?: (removed: number) => void;
  /** A sweep failed (the next one is still scheduled). Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** A running sweep timer. `await using` (or `close()`) stops it and waits for a sweep in progress. */
export interface TmpSweeper extends AsyncDisposable {
  close(): Promise<void>;
}

/** One hour: stale means 36 hours old, so an hour late is nothing. */
export const TMP_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Sweep `cleaner`'s tmp/ folders every `intervalMs`, one sweep at a time.
 *
 * @example
 * ```ts
 * import { MailStore } from "./store.ts";
 * import { sweepTmpPeriodically } from "./tmp_sweeper.ts";
 * const root = await Deno.makeTempDir();
 * const swept = Promise.withResolvers<number>();
 * await using _sweeper = sweepTmpPeriodically(new MailStore(root), {
 *   intervalMs: 10,
 *   onSweep: swept.resolve,
 * });
 * if (await swept.promise !== 0) throw new Error("nothing to sweep in an empty store");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export function sweepTmpPeriodically(
  cleaner: TmpCleaner,
  options: TmpSweepOptions = {},
): TmpSweeper {
  const intervalMs = options.intervalMs ?? TMP_SWEEP_INTERVAL_MS;
  const onError = options.onError ?? ((error) => console.error("Cannot clean tmp/:", error));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweeping = cleaner.cleanTmp().then(
        (removed) => options.onSweep?.(removed),
        onError,
      ).finally(schedule);
    }, intervalMs);
  };
  schedule();
  const close = async () => {
    stopped = true;
    clearTimeout(timer);
    await sweeping;
  };
  return { close, [Symbol.asyncDispose]: close };
}
