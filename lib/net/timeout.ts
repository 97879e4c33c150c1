/**
 * Deadlines for network steps.
 *
 * A notebook cell that awaits a promise which never settles hangs the kernel, and
 * interrupting it kills the kernel with all its state. So every network step in this
 * course carries a deadline, and a missed deadline is an ordinary error with a message
 * that names what was being waited for.
 *
 * @module
 */

import { interruptSignal } from "./interrupt.ts";

/** Thrown when a step did not finish before its deadline. */
export class TimeoutError extends Error {
  /** How long the step was allowed, in milliseconds. */
  readonly ms: number;
  constructor(what: string, ms: number) {
    super(`Timed out after ${ms} ms: ${what}`);
    this.name = "TimeoutError";
    this.ms = ms;
  }
}

/**
 * Settle with `promise`, or reject with a {@linkcode TimeoutError} after `ms`.
 *
 * The timer is always cleared, so no timer outlives the call (Deno's leak checks
 * would flag it). The losing promise is not cancelled: the caller closes whatever
 * resource it was waiting on. In the course's kernel, Kernel → Interrupt ends the wait
 * early with an `InterruptedError` (see interrupt.ts).
 *
 * @example Wait at most one second
 * ```ts
 * import { withTimeout } from "./timeout.ts";
 * const answer = await withTimeout(Promise.resolve(42), 1000, "the answer");
 * if (answer !== 42) throw new Error("unexpected");
 * ```
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const interrupt = interruptSignal();
  let onInterrupt = () => {};
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    onInterrupt = () => reject(interrupt.reason);
    interrupt.addEventListener("abort", onInterrupt, { once: true });
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
    interrupt.removeEventListener("abort", onInterrupt);
  }
}
