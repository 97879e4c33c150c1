/**
 * A session's view of its selected mailbox: its own sequence numbers and what it has been
 * told. Sequence numbers are per session (RFC 3501 2.3.1.2): they only change when this
 * session is told EXPUNGE or EXISTS, so the view keeps its own UID list and computes,
 * against the shared mailbox, what to tell the client next.
 *
 * @module
 */

import { SYSTEM_FLAGS } from "./constants.ts";
import { CONDSTORE, QRESYNC } from "./condstore.ts";
import type { SharedMailbox } from "./mailbox.ts";
import type { SearchKey } from "./search.ts";
import { formatSequenceSet, selectFrom, type SequenceSet } from "./sequence_set.ts";
import { atom, type ImapValue, list } from "./values.ts";

/** A search kept alive by RETURN (UPDATE) (RFC 5267 4.3). */
export interface LiveSearch {
  tag: string;
  /** UID SEARCH: updates name UIDs rather than sequence numbers. */
  uid: boolean;
  key: SearchKey;
  /** The UIDs the client was last told match. */
  results: Set<number>;
  /** The shared mailbox's version they were computed at. */
  version: number;
  /** RFC 5465 7: FETCH these attributes for each new message that joins the results. */
  fetch?: ImapValue;
}

/** The selected mailbox of one session. */
export class SelectedMailbox {
  readonly shared: SharedMailbox;
  /** EXAMINE, or SELECT of a mailbox we may not change. */
  readonly readOnly: boolean;
  /** Sequence number - 1 to UID, as this client knows them. */
  uids: number[];
  /** Flags as last told to this client, by UID. */
  readonly told = new Map<number, string>();
  /**
   * \Recent for this session (RFC 3501 2.3.2): new mail it was the first to see. A
   * read-write session claims it from the shared mailbox; a read-only one (EXAMINE) shows
   * it without claiming, since EXAMINE must not make messages lose \Recent (RFC 3501 6.3.2).
   */
  readonly recent = new Set<number>();
  /** Searches kept alive by RETURN (UPDATE), by the tag that started them (RFC 5267 4.3). */
  readonly liveSearches = new Map<string, LiveSearch>();
  /** The session's enabled extensions (CONDSTORE, QRESYNC change what updates say). */
  readonly enabled: ReadonlySet<string>;
  /** The claim of \Recent being written to disk; the session awaits it before answering. */
  saving: Promise<void> = Promise.resolve();
  #version: number;
  /** How many keywords the client was told about in FLAGS. */
  #keywords: number;

  constructor(shared: SharedMailbox, readOnly: boolean, enabled: ReadonlySet<string> = new Set()) {
    this.shared = shared;
    this.readOnly = readOnly;
    this.enabled = enabled;
    this.uids = shared.messages.map((m) => m.uid);
    for (const m of shared.messages) this.told.set(m.uid, m.letters);
    this.#takeRecent();
    this.#version = shared.version;
    this.#keywords = shared.keywords.list().length;
  }

  /** Add the messages still \Recent in the shared mailbox to this session's \Recent. */
  #takeRecent(): void {
    if (this.readOnly) {
      for (const m of this.shared.messages) {
        if (m.uid >= this.shared.firstRecentUid) this.recent.add(m.uid);
      }
      return;
    }
    const { uids, saved } = this.shared.claimRecent();
    for (const uid of uids) this.recent.add(uid);
    const before = this.saving;
    this.saving = Promise.all([before, saved]).then(() => {});
  }

  /**
   * FLAGS and PERMANENTFLAGS again if the folder gained keywords since the client was
   * last told (RFC 3501 7.2.6: a FLAGS response whenever the set of defined flags changes).
   */
  flagsUpdate(): string[] {
    if (this.shared.keywords.list().length === this.#keywords) return [];
    this.#keywords = this.shared.keywords.list().length;
    const out = [`* FLAGS (${this.flagList().join(" ")})`];
    if (!this.readOnly) {
      out.push(`* OK [PERMANENTFLAGS (${this.permanentFlags().join(" ")})] Flags permitted`);
    }
    return out;
  }

  /** The FLAGS list (RFC 3501 7.2.6): system flags and the folder's keywords. */
  flagList(): string[] {
    return [...SYSTEM_FLAGS, ...this.shared.keywords.list()];
  }

  /** The PERMANENTFLAGS list (RFC 3501 7.1): nothing when read-only, else \* too (new keywords). */
  permanentFlags(): string[] {
    return this.readOnly ? [] : [...this.flagList(), "\\*"];
  }

  /**
   * The items of a FETCH response that reports a message's flags: UID when the command
   * was a UID command or QRESYNC is on (RFC 7162 3.2.4), FLAGS, and MODSEQ when CONDSTORE
   * is on (RFC 7162 3.1.4.2). `flags: false` leaves FLAGS out (STORE .SILENT).
   */
  flagItems(uid: number, withUid = false, flags = true): ImapValue[] {
    const items: ImapValue[] = [];
    if (withUid || this.enabled.has(QRESYNC)) items.push(atom("UID"), atom(uid));
    if (flags) items.push(atom("FLAGS"), list(...this.flagsOf(uid).map((f) => atom(f))));
    const record = this.shared.byUid.get(uid);
    if (record && this.enabled.has(CONDSTORE)) {
      items.push(atom("MODSEQ"), list(atom(record.modseq)));
    }
    return items;
  }

  /** Sequence number of a UID, or 0. */
  seqOf(uid: number): number {
    // Binary search: the UID list is ascending.
    let lo = 0, hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.uids[mid] === uid) return mid + 1;
      if (this.uids[mid] < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** The UIDs a sequence set names: by UID (UID commands) or by sequence number. */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (byUid) return selectFrom(set, this.uids);
    const seqs = selectFrom(set, this.uids.map((_, i) => i + 1));
    return seqs.map((s) => this.uids[s - 1]);
  }

  /** True when a sequence set names a number beyond the mailbox (a NO or BAD for FETCH n). */
  outOfRange(set: SequenceSet): boolean {
    return set.some((r) =>
      [r.from, r.to].some((n) => n !== "*" && n > this.uids.length) ||
      (this.uids.length === 0 && (r.from === "*" || r.to === "*"))
    );
  }

  /** The flags to show for a message: stored flags plus \Recent. */
  flagsOf(uid: number): string[] {
    const record = this.shared.byUid.get(uid);
    const flags = record ? [...record.flags] : [];
    if (this.recent.has(uid)) flags.push("\\Recent");
    return flags;
  }

  /**
   * Untagged updates since the last call (RFC 3501 7.3.1 EXISTS, 7.3.2 RECENT, 7.4.1
   * EXPUNGE, 7.4.2 FETCH FLAGS). With `expunge: false` (during FETCH, STORE and SEARCH,
   * RFC 3501 7.4.1) vanished messages keep their numbers until a later command. With
   * QRESYNC on, expunges are one VANISHED line of UIDs (RFC 7162 3.2.10.2) and every
   * FETCH names the UID; with CONDSTORE on, flag updates carry the MODSEQ (RFC 7162
   * 3.1.4.2).
   */
  updates(options: { expunge: boolean; uid?: boolean; flags?: boolean }): (ImapValue[] | string)[] {
    const shared = this.shared;
    const out: (ImapValue[] | string)[] = [];
    if (this.#version === shared.version && !this.#pendingExpunge && !this.#pendingFlags) {
      return out;
    }
    out.push(...this.flagsUpdate());
    if (options.expunge) {
      const vanished: number[] = [];
      // Highest first, so each number is still the one the client knows.
      for (let i = this.uids.length - 1; i >= 0; i--) {
        const uid = this.uids[i];
        if (!shared.byUid.has(uid)) {
          if (this.enabled.has(QRESYNC)) vanished.unshift(uid);
          else out.push([atom("*"), atom(i + 1), atom("EXPUNGE")]);
          this.uids.splice(i, 1);
          this.told.delete(uid);
          this.recent.delete(uid);
        }
      }
      if (vanished.length) out.push(`* VANISHED ${formatSequenceSet(vanished)}`);
      this.#pendingExpunge = false;
    } else {
      this.#pendingExpunge = this.uids.some((u) => !shared.byUid.has(u));
    }
    // `flags: false` (NOTIFY without FlagChange, RFC 5465 5.1) keeps flag changes for the
    // next command's end.
    this.#pendingFlags = false;
    this.uids.forEach((uid, i) => {
      const record = shared.byUid.get(uid);
      if (record && this.told.get(uid) !== record.letters && options.flags === false) {
        this.#pendingFlags = true;
      } else if (record && this.told.get(uid) !== record.letters) {
        this.told.set(uid, record.letters);
        out.push([
          atom("*"),
          atom(i + 1),
          atom("FETCH"),
          list(...this.flagItems(uid, options.uid)),
        ]);
      }
    });
    const last = this.uids.length ? this.uids[this.uids.length - 1] : 0;
    const added = shared.messages.filter((m) => m.uid > last);
    if (added.length) {
      for (const m of added) {
        this.uids.push(m.uid);
        this.told.set(m.uid, m.letters);
      }
      this.#takeRecent();
      out.push([atom("*"), atom(this.uids.length), atom("EXISTS")]);
      out.push([atom("*"), atom(this.recent.size), atom("RECENT")]);
    }
    if (!this.#pendingExpunge) this.#version = shared.version;
    return out;
  }

  #pendingExpunge = false;
  #pendingFlags = false;
}
