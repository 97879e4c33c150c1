/**
 * Background work that yields the processor: the nice value of one thread.
 *
 * Filing into Maildir (filing.ts) is work that may wait: the message is already safe in
 * the journal. The threads that answer clients may not: the event loop serving the
 * sessions, and the runtime's threads that run the journal's syncs. On a machine whose
 * processors are all busy, a thread woken up waits for its turn, and every such wait is
 * added to some client's 250. At the lowest priority (nice 19) the filing thread runs in
 * the time the others leave, and they rarely wait for it. When they leave none, the
 * journal fills, appends wait (its back pressure), and the filing thread gets the
 * processor: it cannot starve.
 *
 * Linux keeps a nice value per thread, and `setpriority(PRIO_PROCESS, 0, n)` sets the
 * calling thread's (setpriority(2), NOTES). Anyone may lower their own priority.
 *
 * @module
 */

/** The lowest priority (highest nice value) on Linux. */
export const LOWEST_PRIORITY = 19;

/**
 * Give the calling thread the nice value `nice` (default {@linkcode LOWEST_PRIORITY}).
 * Returns whether it was set: not off Linux, nor without permission to call libc (FFI).
 */
export function lowerThreadPriority(nice: number = LOWEST_PRIORITY): boolean {
  if (Deno.build.os !== "linux") return false;
  let libc;
  try {
    libc = Deno.dlopen(
      "libc.so.6",
      {
        setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
      } as const,
    );
  } catch {
    return false; // no --allow-ffi: the thread keeps its priority
  }
  try {
    const PRIO_PROCESS = 0;
    return libc.symbols.setpriority(PRIO_PROCESS, 0, nice) === 0;
  } finally {
    libc.close();
  }
}
