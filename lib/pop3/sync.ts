/**
 * "Leave mail on server": download only what is new, by UIDL (RFC 1939 7).
 *
 * Message numbers change between sessions (message 3 today is message 1 tomorrow once
 * two older ones are deleted); the unique-id listing does not. A client that keeps the
 * ids it has already downloaded can ask UIDL, fetch the ids it has never seen, and
 * leave everything on the server. This is how POP3 clients fake a shared mailbox; it is
 * also all they can do: flags and folders stay on the client (chapter 5).
 *
 * @module
 */

import type { ListingEntry, Pop3Client } from "./client.ts";

/** Which messages to fetch, and which known ids the server no longer has. */
export interface SyncPlan {
  /** Message numbers to RETR, in listing order, each with its id. */
  fetch: ListingEntry<string>[];
  /** Ids we knew that the server no longer lists (deleted elsewhere). */
  gone: string[];
}

/**
 * Compare a UIDL listing with the ids already downloaded.
 *
 * @example
 * ```ts
 * import { planSync } from "./sync.ts";
 * const plan = planSync([{ number: 1, value: "a" }, { number: 2, value: "b" }], new Set(["a", "z"]));
 * if (plan.fetch.length !== 1 || plan.gone[0] !== "z") throw new Error("unexpected");
 * ```
 */
export function planSync(
  listing: readonly ListingEntry<string>[],
  known: ReadonlySet<string>,
): SyncPlan {
  const listed = new Set(listing.map((entry) => entry.value));
  const fetch = listing.filter((entry, i) =>
    !known.has(entry.value) &&
    // RFC 1939 7 makes ids unique; if a broken server repeats one, fetch it once.
    listing.findIndex((other) => other.value === entry.value) === i
  );
  return { fetch, gone: [...known].filter((id) => !listed.has(id)) };
}

/** What {@linkcode syncNew} did. */
export interface SyncResult extends SyncPlan {
  /** Octets received in message bodies. */
  bytes: number;
  /** Messages on the server that were already known. */
  skipped: number;
}

/**
 * One UIDL sync on a client in TRANSACTION: RETR each message whose id is not in
 * `known`, hand it to `save`, add its id to `known`. Nothing is deleted on the server.
 *
 * @example
 * ```ts ignore
 * const known = new Set<string>();
 * await syncNew(client, known, (id, bytes) => Deno.writeFile(`mail/${id}.eml`, bytes));
 * ```
 */
export async function syncNew(
  client: Pop3Client,
  known: Set<string>,
  save: (id: string, bytes: Uint8Array) => void | Promise<void>,
): Promise<SyncResult> {
  const listing = await client.uidl();
  const plan = planSync(listing, known);
  let bytes = 0;
  for (const { number, value } of plan.fetch) {
    const message = await client.retr(number);
    await save(value, message);
    known.add(value);
    bytes += message.length;
  }
  return { ...plan, bytes, skipped: listing.length - plan.fetch.length };
}
