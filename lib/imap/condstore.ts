/**
 * CONDSTORE (RFC 7162 3.1) as the protocol sees it: turning it on, reading
 * mod-sequence arguments, and the MODSEQ and HIGHESTMODSEQ items of responses. The
 * numbers themselves come from the folder's log (modseq.ts), through the shared mailbox.
 *
 * A client turns CONDSTORE on with ENABLE CONDSTORE, or simply by using it: SELECT or
 * EXAMINE with (CONDSTORE), STATUS (HIGHESTMODSEQ), FETCH MODSEQ, SEARCH MODSEQ, FETCH
 * (CHANGEDSINCE), STORE (UNCHANGEDSINCE) are "CONDSTORE enabling commands" (RFC 7162
 * 3.1). From then on, the flag updates the server pushes carry the message's MODSEQ. When
 * it is turned on with a mailbox already selected, the client has not seen the mailbox's
 * HIGHESTMODSEQ yet, so the server sends it at once.
 *
 * @module
 */

import type { MessageRecord, SharedMailbox } from "./mailbox.ts";
import type { Session } from "./session.ts";
import { CommandError } from "./commands/types.ts";
import { atom, type ImapValue, list } from "./values.ts";

/** The names ENABLE and the session use. */
export const CONDSTORE = "CONDSTORE";
/** RFC 7162 3.2.3: QRESYNC, which implies CONDSTORE. */
export const QRESYNC = "QRESYNC";

/** Largest mod-sequence a client may send (RFC 7162 7 `mod-sequence-value`: 63 bits). */
const MAX_MODSEQ = 9223372036854775807n;

/** Whether the session has CONDSTORE on (QRESYNC turns it on too). */
export function condstoreOn(session: Session): boolean {
  return session.enabled.has(CONDSTORE);
}

/** Whether the session has QRESYNC on. */
export function qresyncOn(session: Session): boolean {
  return session.enabled.has(QRESYNC);
}

/**
 * Turn CONDSTORE on, as a CONDSTORE enabling command does (RFC 7162 3.1). With a mailbox
 * selected, the first time, the client is told its HIGHESTMODSEQ (RFC 7162 3.1.2.1).
 */
export function enableCondstore(session: Session): void {
  if (session.enabled.has(CONDSTORE)) return;
  session.enabled.add(CONDSTORE);
  if (session.selected) session.sendText(highestModseqLine(session.selected.shared));
}

/** `* OK [HIGHESTMODSEQ n] Highest` (RFC 7162 3.1.2.1). */
export function highestModseqLine(shared: SharedMailbox): string {
  return `* OK [HIGHESTMODSEQ ${shared.highestModseq}] Highest`;
}

/**
 * A mod-sequence argument (RFC 7162 7 `mod-sequence-value` and `mod-sequence-valzer`):
 * digits, at most 2^63 - 1; `zero` says whether 0 is allowed. Numbers past what a
 * JavaScript number holds exactly are capped there: our own never come near it.
 *
 * @example
 * ```ts
 * import { modseqArg } from "./condstore.ts";
 * import { atom } from "./values.ts";
 * if (modseqArg(atom("42"), "CHANGEDSINCE", false) !== 42) throw new Error("unexpected");
 * ```
 */
export function modseqArg(value: ImapValue | undefined, what: string, zero: boolean): number {
  const text = value?.type === "atom" && !value.section ? value.value : "";
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > MAX_MODSEQ || (!zero && BigInt(text) === 0n)) {
    throw new CommandError(
      "BAD",
      `${what} expects a mod-sequence, a number from ${zero ? 0 : 1} to 2^63 - 1`,
    );
  }
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
}

/** The `MODSEQ (n)` item of a FETCH response (RFC 7162 3.1.4.2). */
export function modseqItem(record: MessageRecord): ImapValue[] {
  return [atom("MODSEQ"), list(atom(record.modseq))];
}
