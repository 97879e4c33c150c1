/**
 * SEARCH and UID SEARCH (RFC 3501 6.4.4): the server looks through the mailbox so the
 * client does not download it. Flags, sizes and dates come from the index; header and
 * body keys open only the messages they must.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import {
  matchSearch,
  parseSearch,
  SearchError,
  type SearchMessage,
  searchNeeds,
  searchUsesSize,
} from "../search.ts";
import { isAtom, textOf } from "../values.ts";
import { CommandError, type CommandHandler } from "./types.ts";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** RFC 3501 6.4.4. */
export const SEARCH: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    let args = command.args;
    if (isAtom(args[0], "CHARSET")) {
      const charset = textOf(args[1])?.toUpperCase();
      if (charset !== "UTF-8" && charset !== "US-ASCII") {
        throw new CommandError(
          "NO",
          `Unsupported charset ${charset}`,
          "BADCHARSET (UTF-8 US-ASCII)",
        );
      }
      args = args.slice(2);
    }
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
      if (matchSearch(key, msg, ctx)) hits.push(command.uid ? uid : i + 1);
    }
    session.sendText(`* SEARCH${hits.map((n) => " " + n).join("")}`);
  },
};
