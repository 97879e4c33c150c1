/**
 * THREAD and UID THREAD (RFC 5256 3): SEARCH, with the results grouped into
 * conversations by the server.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { THREAD_ALGORITHMS, type ThreadAlgorithm, threadMessages } from "../thread.ts";
import { textOf } from "../values.ts";
import { searchCharset, searchMatches, sortView } from "./search.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 5256 3: `THREAD algorithm charset search-key...`. */
export const THREAD: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    if (command.args.length < 3) {
      throw new CommandError("BAD", "THREAD expects an algorithm, a charset and search keys");
    }
    const algorithm = textOf(command.args[0])?.toUpperCase() as ThreadAlgorithm;
    if (command.args[0].type !== "atom" || !THREAD_ALGORITHMS.includes(algorithm)) {
      throw new CommandError(
        "BAD",
        `THREAD: unknown algorithm ${JSON.stringify(textOf(command.args[0]))}`,
      );
    }
    searchCharset(command.args[1]);
    const matches = await searchMatches(session, command.args.slice(2));
    const view = await sortView(session, matches);
    const uids = session.selected!.uids;
    const messages = view.map((m) => ({ ...m, id: command.uid ? uids[m.seq - 1] : m.seq }));
    const threads = threadMessages(messages, algorithm);
    session.sendText(`* THREAD${threads ? " " + threads : ""}`);
  },
};
