/**
 * SEARCH and UID SEARCH (RFC 3501 6.4.4): the server looks through the mailbox so the
 * client does not download it. Flags, sizes and dates come from the index; header and
 * body keys open only the messages they must.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import {
  esearchLine,
  type ReturnOption,
  ReturnOptionError,
  takeReturnOptions,
} from "../esearch.ts";
import {
  matchSearch,
  parseSearch,
  SearchError,
  type SearchMessage,
  searchNeeds,
  searchUsesSize,
} from "../search.ts";
import type { Session } from "../session.ts";
import type { SortMessage } from "../sort.ts";
import { type ImapValue, isAtom, textOf } from "../values.ts";
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

/**
 * The sequence numbers of the messages a search program matches, in mailbox order. SORT,
 * THREAD and ESEARCH start from the same set.
 */
export async function searchMatches(session: Session, args: ImapValue[]): Promise<number[]> {
  let key;
  try {
    key = parseSearch(args);
  } catch (error) {
    if (error instanceof SearchError) throw new CommandError("BAD", error.message);
    throw error;
  }
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
    };
    if (needs !== "index") {
      const loaded = await shared.load(uid);
      if (!loaded) continue;
      msg.header = loaded.mime.headers;
      if (needs === "full") {
        const body = loaded.bytes.subarray(loaded.mime.bodyStart);
        // Bodies in legacy charsets still match ASCII search strings as Latin-1.
        const text = utf8.decode(body);
        msg.body = text.includes("\uFFFD") ? latin1.decode(body) : text;
      }
    }
    if (matchSearch(key, msg, ctx)) hits.push(i + 1);
  }
  return hits;
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
      header: loaded.mime.headers,
    });
  }
  return out;
}

/** RFC 4731's `RETURN (...)` taken off the arguments, null without one; unknown options are BAD. */
export function returnOptions(args: ImapValue[]): Set<ReturnOption> | null {
  try {
    return takeReturnOptions(args);
  } catch (error) {
    if (error instanceof ReturnOptionError) throw new CommandError("BAD", error.message);
    throw error;
  }
}

/** RFC 3501 6.4.4, with RFC 4731's RETURN options. */
export const SEARCH: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    let args = [...command.args];
    const options = returnOptions(args);
    if (isAtom(args[0], "CHARSET")) {
      searchCharset(args[1]);
      args = args.slice(2);
    }
    const seqs = await searchMatches(session, args);
    const uids = session.selected!.uids;
    const hits = command.uid ? seqs.map((seq) => uids[seq - 1]) : seqs;
    session.sendText(
      options
        ? esearchLine(command.tag, command.uid, hits, options)
        : `* SEARCH${hits.map((n) => " " + n).join("")}`,
    );
  },
};
