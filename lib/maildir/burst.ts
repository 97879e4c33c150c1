/**
 * A burst of deliveries made both ways, for chapter 3's "250 means on disk": `sessions`
 * copies of one letter at once into a Maildir directly (each its own file and syncs), and
 * into a {@linkcode JournaledMailStore} (one journal sync shared by every delivery in
 * flight, filed into new/ after). The notebook shows the times side by side.
 *
 * @module
 */

import type { JournaledMailStore } from "./journaled_store.ts";
import type { Maildir } from "./maildir.ts";

/** What one burst took, in milliseconds, and how many journal syncs it needed. */
export interface BurstTimes {
  /** Until the last direct delivery was on disk. */
  directMs: number;
  /** Until the journal acknowledged the last copy (when a server says 250). */
  journalMs: number;
  /** Until the last journaled copy was filed into new/. */
  filedMs: number;
  /** Journal syncs the burst made, shared by its deliveries. */
  journalSyncs: number;
}

/** Deliver `sessions` copies of `letter` at once both ways, one way after the other. */
export async function timeBurst(
  { direct, journaled, letter, sessions, user = "bob" }: {
    direct: Maildir;
    journaled: JournaledMailStore;
    letter: Uint8Array;
    sessions: number;
    user?: string;
  },
): Promise<BurstTimes> {
  const timed = async (deliver: () => Promise<unknown>) => {
    const start = performance.now();
    await Promise.all(Array.from({ length: sessions }, deliver));
    return performance.now() - start;
  };
  const directMs = await timed(() => direct.deliver(letter));
  const syncsBefore = journaled.journalSyncs;
  const journalMs = await timed(() => journaled.accept([user], letter));
  const filing = performance.now();
  await journaled.settled();
  return {
    directMs,
    journalMs,
    filedMs: journalMs + performance.now() - filing,
    journalSyncs: journaled.journalSyncs - syncsBefore,
  };
}
