/**
 * EXPUNGE and UID EXPUNGE (RFC 3501 6.4.3, RFC 4315 2.1): delete \Deleted messages for
 * good. The untagged EXPUNGE responses are sent by the dispatcher's update step, the same
 * code that tells other sessions.
 *
 * @module
 */

import { qresyncOn } from "../condstore.ts";
import { STATE } from "../constants.ts";
import { sequenceArg } from "./fetch.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 3501 6.4.3. */
export const EXPUNGE: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    if (command.args.length !== (command.uid ? 1 : 0)) {
      throw new CommandError(
        "BAD",
        command.uid ? "UID EXPUNGE expects a UID set" : "EXPUNGE takes no arguments",
      );
    }
    const selected = session.selected!;
    if (selected.readOnly) throw new CommandError("NO", "The mailbox is read-only", "READ-ONLY");
    const uids = command.uid ? selected.resolve(sequenceArg(command.args[0]), true) : selected.uids;
    const gone = await selected.shared.expunge(uids);
    // RFC 7162 3.2.7: VANISHED carries no MODSEQ, so the tagged OK tells the new highest.
    if (gone.length && qresyncOn(session)) {
      return {
        status: "OK",
        code: `HIGHESTMODSEQ ${selected.shared.highestModseq}`,
        text: `${command.uid ? "UID " : ""}EXPUNGE completed`,
      };
    }
  },
};
