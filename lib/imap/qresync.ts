/**
 * QRESYNC (RFC 7162 3.2): a client that cached a mailbox resynchronizes it within
 * SELECT. It sends the UIDVALIDITY and HIGHESTMODSEQ it remembers; the server answers
 * with the UIDs expunged since (`* VANISHED (EARLIER) ...`) and a FETCH of every message
 * changed since, so one round trip replaces "fetch every UID and every flag again".
 * `UID FETCH ... (CHANGEDSINCE n VANISHED)` asks the same later on.
 *
 * What vanished comes from the folder's modseq log (modseq.ts), which remembers a
 * bounded number of expunges; asked about older ones, we name every UID that is not in
 * the folder any more, which RFC 7162 3.2.5.1 allows (the client ignores UIDs it does
 * not have).
 *
 * @module
 */

import type { SelectedMailbox } from "./selected.ts";
import { type SequenceSet, setContains } from "./sequence_set.ts";
import { modseqArg } from "./condstore.ts";
import { sequenceArg } from "./commands/fetch.ts";
import { CommandError } from "./commands/types.ts";
import { type ImapValue, isAtom, numberOf } from "./values.ts";

/** The QRESYNC parameter of SELECT and EXAMINE (RFC 7162 3.2.5). */
export interface QresyncParam {
  uidValidity: number;
  /** The HIGHESTMODSEQ the client last saw. */
  modseq: number;
  /** The UIDs the client knows (all when absent). */
  knownUids?: SequenceSet;
  /** Sequence numbers and the UIDs the client has for them (RFC 7162 3.2.5.2). */
  seqMatch?: { seqs: SequenceSet; uids: SequenceSet };
}

/**
 * Parse `(uidvalidity modseq [known-uids [(seq-set uid-set)]])`, the list after the
 * word QRESYNC, or BAD.
 */
export function parseQresyncParam(value: ImapValue | undefined): QresyncParam {
  const bad = (why: string) => new CommandError("BAD", `QRESYNC parameter: ${why}`);
  if (value?.type !== "list" || value.items.length < 2 || value.items.length > 4) {
    throw bad("expected (uidvalidity modseq [known-uids [(sequences uids)]])");
  }
  const [validity, modseq, known, match] = value.items;
  const uidValidity = numberOf(validity);
  if (!uidValidity) throw bad("UIDVALIDITY must be a number from 1 to 4294967295");
  const param: QresyncParam = { uidValidity, modseq: modseqArg(modseq, "QRESYNC", false) };
  if (known) param.knownUids = sequenceArg(known);
  if (match) {
    if (match.type !== "list" || match.items.length !== 2) {
      throw bad("the message sequence match data is (sequence-set uid-set)");
    }
    param.seqMatch = { seqs: sequenceArg(match.items[0]), uids: sequenceArg(match.items[1]) };
  }
  return param;
}

/** Whether the command's arguments hold `(... QRESYNC ...)`, e.g. `SELECT x (QRESYNC (...))`. */
export function hasQresync(values: readonly ImapValue[]): boolean {
  return values.some((v) => isAtom(v, "QRESYNC"));
}

/**
 * The UIDs among `within` (a UID set from the client; `*` is UIDNEXT - 1 here, so that a
 * message expunged after holding the highest UID is included) that were expunged after
 * `modseq`, ascending. With `seqMatch`, the client proves what it knows up to some
 * point (RFC 7162 3.2.5.2): where its sequence numbers still map to the same UIDs, no
 * message below them vanished, so those UIDs are left out.
 */
export function vanishedUids(
  selected: SelectedMailbox,
  modseq: number,
  within: SequenceSet | null,
  seqMatch?: QresyncParam["seqMatch"],
): number[] {
  const shared = selected.shared;
  const max = shared.uidNext - 1;
  const inRange = (uid: number) => !within || setContains(within, uid, max);
  const remembered = shared.vanishedSince(modseq);
  let uids: number[];
  if (remembered) {
    uids = remembered.filter(inRange);
  } else {
    // Expunges may have been forgotten: everything that is not here any more.
    uids = [];
    const ranges = within ?? [{ from: 1, to: max }];
    for (const range of ranges) {
      const ends = [range.from, range.to].map((n) => n === "*" ? max : n);
      const to = Math.min(Math.max(...ends), max);
      for (let uid = Math.min(...ends); uid <= to; uid++) {
        if (!shared.byUid.has(uid)) uids.push(uid);
      }
    }
    uids = [...new Set(uids)].sort((a, b) => a - b);
  }
  const below = seqMatch ? matchedUpTo(selected, seqMatch) : 0;
  return uids.filter((uid) => uid > below);
}

/**
 * RFC 7162 3.2.5.2: the highest UID up to which the client's sequence numbers agree
 * with ours; nothing below it has vanished since the client's state.
 */
function matchedUpTo(selected: SelectedMailbox, match: { seqs: SequenceSet; uids: SequenceSet }) {
  const seqs = expand(match.seqs, selected.uids.length);
  const uids = expand(match.uids, selected.shared.uidNext - 1);
  if (seqs.length !== uids.length) return 0;
  let upTo = 0;
  for (let i = 0; i < seqs.length; i++) {
    if (selected.uids[seqs[i] - 1] !== uids[i]) break;
    upTo = uids[i];
  }
  return upTo;
}

/** The numbers of a set, in the order given, "*" as `max`; empty if it names too many. */
function expand(set: SequenceSet, max: number): number[] {
  const out: number[] = [];
  for (const range of set) {
    const [a, b] = [range.from, range.to].map((n) => n === "*" ? max : n);
    const step = a <= b ? 1 : -1;
    for (let n = a; step > 0 ? n <= b : n >= b; n += step) {
      out.push(n);
      if (out.length > 100_000) return [];
    }
  }
  return out;
}
