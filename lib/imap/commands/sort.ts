/**
 * SORT and UID SORT (RFC 5256 3, with RFC 5957's DISPLAYFROM and DISPLAYTO): SEARCH, with
 * the results ordered by the server.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { parseSortCriteria, SortError, sortMessages } from "../sort.ts";
import { esearchLine } from "../esearch.ts";
import { enableCondstore } from "../condstore.ts";
import { searchUsesModseq } from "../search.ts";
import {
  highestModseqOf,
  matchKey,
  returnOptions,
  searchCharset,
  searchKey,
  sortView,
} from "./search.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 5256 3: `SORT [RETURN (options)] (criteria) charset search-key...` (RETURN: RFC 5267 ESORT). */
export const SORT: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    const args = [...command.args];
    const options = returnOptions(args); // RFC 5267 ESORT
    for (const option of ["UPDATE", "PARTIAL", "CONTEXT"] as const) {
      // Those are CONTEXT=SORT (RFC 5267 4), which we do not offer.
      if (options?.options.has(option)) {
        throw new CommandError("BAD", `SORT: RETURN option ${option} is not supported`);
      }
    }
    if (args.length < 3) {
      throw new CommandError("BAD", "SORT expects sort criteria, a charset and search keys");
    }
    let criteria;
    try {
      criteria = parseSortCriteria(args[0]);
    } catch (error) {
      if (error instanceof SortError) throw new CommandError("BAD", error.message);
      throw error;
    }
    searchCharset(args[1]);
    const key = searchKey(args.slice(2));
    // RFC 7162 3.1.9: SORT with MODSEQ answers with the highest MODSEQ found, as SEARCH.
    if (searchUsesModseq(key)) enableCondstore(session);
    const matches = await matchKey(session, key);
    const sorted = sortMessages(await sortView(session, matches), criteria);
    const seqs = sorted.map((m) => m.seq);
    const numbers = seqs.map((seq) => (command.uid ? session.selected!.uids[seq - 1] : seq));
    const modseq = searchUsesModseq(key) ? highestModseqOf(session, seqs, options) : 0;
    session.sendText(
      options
        ? esearchLine(command.tag, command.uid, numbers, options, true) +
          (modseq ? ` MODSEQ ${modseq}` : "")
        : `* SORT${numbers.map((n) => " " + n).join("")}${modseq ? ` (MODSEQ ${modseq})` : ""}`,
    );
  },
};
