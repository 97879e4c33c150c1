/**
 * SEARCH and UID SEARCH (RFC 3501 6.4.4): the server looks through the mailbox so the
 * client does not download it. Flags, sizes and dates come from the index; header and
 * body keys open only the messages they must.
 *
 * @module
 */

import { type ByteRange, decodedFields, fieldValue, findFields } from "../../mail/mod.ts";
import { STATE } from "../constants.ts";
import {
  esearchLine,
  ReturnOptionError,
  type ReturnOptions,
  takeReturnOptions,
  updateLine,
} from "../esearch.ts";
import {
  matchSearch,
  parseSearch,
  SearchError,
  type SearchKey,
  type SearchMessage,
  searchNeeds,
  searchUsesModseq,
  searchUsesSize,
} from "../search.ts";
import { enableCondstore } from "../condstore.ts";
import type { Session } from "../session.ts";
import type { SortMessage } from "../sort.ts";
import { type ImapValue, isAtom, textOf } from "../values.ts";
import { parseFetchItems } from "./fetch.ts";
import { CommandError, type CommandHandler } from "./types.ts";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** A CHARSET we can search in, or NO [BADCHARSET] (RFC 3501 6.4.4, 7.1). */
export function searchCharset(value: ImapValue | undefined): void {
  const charset = textOf(value)?.toUpperCase();
  if (charset !== "UTF-8" && charset !== "US-ASCII") {
    throw new CommandError("NO", `Unsupported charset ${charset}`, "BADCHARSET (UTF-8 US-ASCII)");
  }
}

/** Parse search keys, or BAD. */
export function searchKey(args: ImapValue[]): SearchKey {
  try {
    return parseSearch(args);
  } catch (error) {
    if (error instanceof SearchError) throw new CommandError("BAD", error.message);
    throw error;
  }
}

/**
 * The sequence numbers of the messages a search program matches, in mailbox order. SORT,
 * THREAD and ESEARCH start from the same set.
 */
export function searchMatches(session: Session, args: ImapValue[]): Promise<number[]> {
  return matchKey(session, searchKey(args));
}

/** The sequence numbers of the messages a parsed key matches, in mailbox order. */
export async function matchKey(session: Session, key: SearchKey): Promise<number[]> {
  const selected = session.selected!;
  const shared = selected.shared;
  const needs = searchNeeds(key);
  const usesSize = searchUsesSize(key);
  const ctx = {
    maxSeq: selected.uids.length,
    maxUid: selected.uids.length ? selected.uids[selected.uids.length - 1] : 0,
  };
  const hits: number[] = [];
  for (let i = 0; i < selected.uids.length; i++) {
    const uid = selected.uids[i];
    const record = shared.byUid.get(uid);
    if (!record) continue;
    const msg: SearchMessage = {
      seq: i + 1,
      uid,
      flags: new Set(selected.flagsOf(uid).map((f) => f.toLowerCase())),
      size: usesSize ? await shared.wireSize(record) : record.diskSize,
      internalDate: record.internalDate,
      modseq: record.modseq,
    };
    if (needs !== "index") {
      const loaded = await shared.load(uid);
      if (!loaded) continue;
      const { bytes, mime } = loaded;
      msg.header = { [Symbol.iterator]: () => decodedFields(bytes, mime.header) };
      if (needs === "full") {
        const body = loaded.bytes.subarray(loaded.mime.body.start);
        // Bodies in legacy charsets still match ASCII search strings as Latin-1.
        const text = utf8.decode(body);
        msg.body = text.includes("\uFFFD") ? latin1.decode(body) : text;
      }
    }
    if (matchSearch(key, msg, ctx)) hits.push(i + 1);
  }
  return hits;
}

/** What live searches have to tell after the mailbox changed (see {@linkcode liveSearchUpdates}). */
export interface LiveSearchNews {
  /** REMOVEFROM lines, sent before the EXPUNGEs. */
  remove: string[];
  /** ADDTO lines, sent after EXISTS and the FETCHes. */
  add: string[];
  /** RFC 5465 7: FETCHes for new messages that joined a search with `UPDATE (fetch-att)`. */
  fetch: { uids: number[]; items: ImapValue; uid: boolean }[];
}

/**
 * ADDTO and REMOVEFROM lines for the live searches of the selected mailbox (RFC 5267
 * 4.3), after the view moved on from `before` (its UIDs, in sequence order, before this
 * round of updates). REMOVEFROM uses the numbers the client knew, so it goes out before
 * the EXPUNGEs; ADDTO uses the new ones, so it goes out after EXISTS.
 */
export async function liveSearchUpdates(
  session: Session,
  before: readonly number[],
): Promise<LiveSearchNews> {
  const selected = session.selected!;
  const out: LiveSearchNews = { remove: [], add: [], fetch: [] };
  const lastBefore = before.length ? Math.max(...before) : 0;
  for (const live of selected.liveSearches.values()) {
    if (live.version === selected.shared.version && before.length === selected.uids.length) {
      continue;
    }
    live.version = selected.shared.version;
    const now = (await matchKey(session, live.key)).map((seq) => selected.uids[seq - 1]);
    const current = new Set(now);
    const removed = [...live.results].filter((uid) => !current.has(uid));
    const added = now.filter((uid) => !live.results.has(uid));
    live.results = current;
    const removedNumbers = live.uid
      ? removed
      : removed.map((uid) => before.indexOf(uid) + 1).filter((seq) => seq > 0);
    if (removedNumbers.length) {
      out.remove.push(updateLine(live.tag, live.uid, "REMOVEFROM", 0, removedNumbers));
    }
    // RFC 5465 7: FETCH for new messages that join, not for those a flag change brought.
    const fresh = added.filter((uid) => uid > lastBefore);
    if (live.fetch && fresh.length) {
      out.fetch.push({ uids: fresh, items: live.fetch, uid: live.uid });
    }
    if (added.length) {
      const position = now.indexOf(added[0]) + 1;
      const numbers = live.uid ? added : added.map((uid) => selected.seqOf(uid));
      out.add.push(updateLine(live.tag, live.uid, "ADDTO", position, numbers));
    }
  }
  return out;
}

/** The fields SORT (RFC 5256 3, RFC 5957) and THREAD (RFC 5256 2.2) read. */
const SORT_FIELDS = [
  "subject",
  "date",
  "from",
  "to",
  "cc",
  "message-id",
  "references",
  "in-reply-to",
];

/** Those fields (the first of each name), decoded; the rest of the header is not kept. */
function sortFields(bytes: Uint8Array, header: ByteRange): { name: string; value: string }[] {
  return [...findFields(bytes, header, SORT_FIELDS)].map(([name, field]) => ({
    name,
    value: fieldValue(bytes, field),
  }));
}

/** What SORT and THREAD need of the messages numbered `seqs`: size, dates and header. */
export async function sortView(session: Session, seqs: readonly number[]): Promise<SortMessage[]> {
  const selected = session.selected!;
  const out: SortMessage[] = [];
  for (const seq of seqs) {
    const uid = selected.uids[seq - 1];
    const record = selected.shared.byUid.get(uid);
    const loaded = record && await selected.shared.load(uid);
    if (!record || !loaded) continue;
    out.push({
      seq,
      size: loaded.bytes.length,
      internalDate: record.internalDate,
      header: sortFields(loaded.bytes, loaded.mime.header),
    });
  }
  return out;
}

/** RFC 4731's `RETURN (...)` taken off the arguments, null without one; unknown options are BAD. */
export function returnOptions(args: ImapValue[]): ReturnOptions | null {
  try {
    return takeReturnOptions(args);
  } catch (error) {
    if (error instanceof ReturnOptionError) throw new CommandError("BAD", error.message);
    throw error;
  }
}

/**
 * RFC 5267 4.3: stop updating live searches, named by the tags of the commands that
 * started them.
 */
export const CANCELUPDATE: CommandHandler = {
  states: [STATE.Selected],
  run(session, command) {
    if (!command.args.length) throw new CommandError("BAD", "CANCELUPDATE expects search tags");
    for (const arg of command.args) {
      const tag = textOf(arg);
      if (tag === null || !session.selected!.liveSearches.delete(tag)) {
        throw new CommandError("BAD", `CANCELUPDATE: no live search ${JSON.stringify(tag)}`);
      }
    }
    return Promise.resolve();
  },
};

/**
 * The MODSEQ a search that used the MODSEQ key answers with (RFC 7162 3.1.6): the highest
 * of the messages found; with only MIN and/or MAX asked (RFC 4731 3.2), the highest of
 * those returned. 0 when nothing was found (then none is sent).
 */
export function highestModseqOf(
  session: Session,
  seqs: readonly number[],
  options: ReturnOptions | null,
): number {
  const selected = session.selected!;
  const modseqOf = (seq: number) => selected.shared.byUid.get(selected.uids[seq - 1])?.modseq ?? 0;
  if (!seqs.length) return 0;
  const wanted = options?.options;
  const onlyEnds = wanted && !wanted.has("ALL") && !wanted.has("COUNT") &&
    !wanted.has("PARTIAL") && (wanted.has("MIN") || wanted.has("MAX"));
  const counted = onlyEnds
    ? [...(wanted.has("MIN") ? [seqs[0]] : []), ...(wanted.has("MAX") ? [seqs.at(-1)!] : [])]
    : seqs;
  return counted.reduce((max, seq) => Math.max(max, modseqOf(seq)), 0);
}

/** RFC 3501 6.4.4, with RFC 4731's RETURN options and RFC 5267's PARTIAL and UPDATE. */
export const SEARCH: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    let args = [...command.args];
    const options = returnOptions(args);
    // RFC 5465 7: UPDATE's fetch attributes are FETCH's; BAD if FETCH would say so.
    if (options?.updateFetch) parseFetchItems(options.updateFetch);
    if (isAtom(args[0], "CHARSET")) {
      searchCharset(args[1]);
      args = args.slice(2);
    }
    const key = searchKey(args);
    // RFC 7162 3.1: SEARCH MODSEQ is CONDSTORE enabling.
    if (searchUsesModseq(key)) enableCondstore(session);
    const seqs = await matchKey(session, key);
    const selected = session.selected!;
    const hits = command.uid ? seqs.map((seq) => selected.uids[seq - 1]) : seqs;
    const modseq = searchUsesModseq(key) ? highestModseqOf(session, seqs, options) : 0;
    session.sendText(
      options
        ? esearchLine(command.tag, command.uid, hits, options) + (modseq ? ` MODSEQ ${modseq}` : "")
        : `* SEARCH${hits.map((n) => " " + n).join("")}${modseq ? ` (MODSEQ ${modseq})` : ""}`,
    );
    if (options?.options.has("UPDATE")) {
      // RFC 5267 4.3: keep the search alive; the session reports its changes.
      selected.liveSearches.set(command.tag, {
        tag: command.tag,
        uid: command.uid,
        key,
        results: new Set(seqs.map((seq) => selected.uids[seq - 1])),
        version: selected.shared.version,
        fetch: options.updateFetch,
      });
    }
  },
};
