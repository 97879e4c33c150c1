/**
 * STORE and UID STORE (RFC 3501 6.4.6): change flags, which live in the Maildir file
 * names, so every other session and every other Maildir reader sees them.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { atom, list, textOf } from "../values.ts";
import { flagArgs } from "./append.ts";
import { sequenceArg } from "./fetch.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 3501 6.4.6. */
export const STORE: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    if (command.args.length < 3) {
      throw new CommandError(
        "BAD",
        "STORE expects a sequence set, FLAGS, +FLAGS or -FLAGS, and flags",
      );
    }
    const selected = session.selected!;
    const set = sequenceArg(command.args[0]);
    const what = textOf(command.args[1])?.toUpperCase() ?? "";
    const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(what);
    if (command.args[1].type !== "atom" || !m) {
      throw new CommandError("BAD", `STORE: unknown item ${JSON.stringify(what)}`);
    }
    const flagValues = command.args.length === 3 && command.args[2].type === "list"
      ? command.args[2].items
      : command.args.slice(2);
    const flags = flagArgs(flagValues, "STORE");
    if (selected.readOnly) throw new CommandError("NO", "The mailbox is read-only", "READ-ONLY");
    if (!command.uid && selected.outOfRange(set)) {
      throw new CommandError("BAD", "STORE: message sequence number out of range");
    }
    const uids = selected.resolve(set, command.uid);
    const mode = (m[1] || "=") as "+" | "-" | "=";
    await selected.shared.setFlags(uids, mode, flags);
    for (const line of selected.flagsUpdate()) session.sendText(line); // new keywords first
    if (m[2]) {
      // .SILENT: the client knows what it did; but others' changes are still reported.
      for (const uid of uids) {
        const record = selected.shared.byUid.get(uid);
        if (record) selected.told.set(uid, record.letters);
      }
      return;
    }
    for (const uid of uids) {
      const record = selected.shared.byUid.get(uid);
      if (!record) continue;
      selected.told.set(uid, record.letters);
      const items = [atom("FLAGS"), list(...selected.flagsOf(uid).map((f) => atom(f)))];
      if (command.uid) items.unshift(atom("UID"), atom(uid));
      session.send([atom("*"), atom(selected.seqOf(uid)), atom("FETCH"), list(...items)]);
    }
  },
};
