/**
 * SORT and UID SORT (RFC 5256 3, with RFC 5957's DISPLAYFROM and DISPLAYTO): SEARCH, with
 * the results ordered by the server.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { parseSortCriteria, SortError, sortMessages } from "../sort.ts";
import { esearchLine } from "../esearch.ts";
import { returnOptions, searchCharset, searchMatches, sortView } from "./search.ts";
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
    const matches = await searchMatches(session, args.slice(2));
    const sorted = sortMessages(await sortView(session, matches), criteria);
    const numbers = sorted.map((m) => (command.uid ? session.selected!.uids[m.seq - 1] : m.seq));
    session.sendText(
      options
        ? esearchLine(command.tag, command.uid, numbers, options, true)
        : `* SORT${numbers.map((n) => " " + n).join("")}`,
    );
  },
};
