/**
 * STORE and UID STORE (RFC 3501 6.4.6): change flags, which live in the Maildir file
 * names, so every other session and every other Maildir reader sees them. With
 * `(UNCHANGEDSINCE n)` (RFC 7162 3.1.3) the change is conditional: a message changed
 * after MODSEQ n is left alone and named in the MODIFIED response code, so two clients
 * cannot overwrite each other's change unknowingly.
 *
 * @module
 */

import { condstoreOn, enableCondstore, modseqArg } from "../condstore.ts";
import { STATE } from "../constants.ts";
import { formatSequenceSet } from "../sequence_set.ts";
import { atom, isAtom, list, textOf } from "../values.ts";
import { flagArgs } from "./append.ts";
import { sequenceArg } from "./fetch.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 3501 6.4.6, with RFC 7162 3.1.3's UNCHANGEDSINCE. */
export const STORE: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session, command) {
    const args = [...command.args];
    // RFC 4466 2.5: store modifiers come in a list after the sequence set.
    let unchangedSince: number | undefined;
    if (args[1]?.type === "list") {
      const modifiers = args.splice(1, 1)[0];
      if (modifiers.type !== "list") throw new Error("unreachable");
      for (let i = 0; i < modifiers.items.length; i++) {
        const item = modifiers.items[i];
        if (!isAtom(item, "UNCHANGEDSINCE")) {
          throw new CommandError("BAD", `Unknown STORE modifier ${JSON.stringify(textOf(item))}`);
        }
        unchangedSince = modseqArg(modifiers.items[++i], "UNCHANGEDSINCE", true);
      }
    }
    if (args.length < 3) {
      throw new CommandError(
        "BAD",
        "STORE expects a sequence set, FLAGS, +FLAGS or -FLAGS, and flags",
      );
    }
    const selected = session.selected!;
    const set = sequenceArg(args[0]);
    const what = textOf(args[1])?.toUpperCase() ?? "";
    const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(what);
    if (args[1].type !== "atom" || !m) {
      throw new CommandError("BAD", `STORE: unknown item ${JSON.stringify(what)}`);
    }
    const flagValues = args.length === 3 && args[2].type === "list" ? args[2].items : args.slice(2);
    const flags = flagArgs(flagValues, "STORE");
    if (selected.readOnly) throw new CommandError("NO", "The mailbox is read-only", "READ-ONLY");
    if (!command.uid && selected.outOfRange(set)) {
      throw new CommandError("BAD", "STORE: message sequence number out of range");
    }
    // RFC 7162 3.1: UNCHANGEDSINCE is CONDSTORE enabling.
    if (unchangedSince !== undefined) enableCondstore(session);
    const uids = selected.resolve(set, command.uid);
    const mode = (m[1] || "=") as "+" | "-" | "=";
    const modified: number[] = [];
    const conditional = unchangedSince === undefined ? undefined : { unchangedSince, modified };
    const changed = new Set(await selected.shared.setFlags(uids, mode, flags, conditional));
    const refused = new Set(modified);
    for (const line of selected.flagsUpdate()) session.sendText(line); // new keywords first
    for (const uid of uids) {
      const record = selected.shared.byUid.get(uid);
      if (!record || refused.has(uid)) continue;
      selected.told.set(uid, record.letters);
      // .SILENT: the client knows the flags it set; with CONDSTORE on it still needs the
      // new MODSEQ of what changed (as Dovecot sends it).
      if (m[2] && !(condstoreOn(session) && changed.has(uid))) continue;
      const items = selected.flagItems(uid, command.uid, !m[2]);
      session.send([atom("*"), atom(selected.seqOf(uid)), atom("FETCH"), list(...items)]);
    }
    if (modified.length) {
      // RFC 7162 3.1.3: the messages not changed because someone changed them first.
      const numbers = command.uid ? modified : modified.map((uid) => selected.seqOf(uid));
      return {
        status: "OK",
        code: `MODIFIED ${formatSequenceSet(numbers)}`,
        text: "Conditional STORE failed",
      };
    }
  },
};
