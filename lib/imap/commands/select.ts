/**
 * Opening and closing a mailbox (RFC 3501 6.3.1, 6.3.2, 6.4.1, 6.4.2; RFC 3691 UNSELECT).
 *
 * @module
 */

import { STATE } from "../constants.ts";
import type { Session } from "../session.ts";
import { SelectedMailbox } from "../selected.ts";
import {
  type Command,
  CommandError,
  type CommandHandler,
  expectArgs,
  mailboxArg,
} from "./types.ts";

async function open(session: Session, command: Command, readOnly: boolean) {
  expectArgs(command, 1, "a mailbox name");
  const name = mailboxArg(command.args[0]);
  // RFC 3501 6.3.1: a SELECT first deselects, even if it then fails.
  session.selected = null;
  session.state = STATE.Authenticated;
  let shared;
  try {
    shared = await session.config.registry.get(session.user!, session.maildir!, name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || (error as Error).name === "MailboxNameError") {
      throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "NONEXISTENT");
    }
    throw error;
  }
  const selected = new SelectedMailbox(shared, readOnly);
  session.sendText(`* FLAGS (${selected.flagList().join(" ")})`);
  session.sendText(
    readOnly
      ? "* OK [PERMANENTFLAGS ()] Read-only mailbox"
      : `* OK [PERMANENTFLAGS (${
        selected.permanentFlags().join(" ")
      })] Flags and keywords stored in the Maildir`,
  );
  session.sendText(`* ${selected.uids.length} EXISTS`);
  session.sendText(`* ${selected.recent.size} RECENT`);
  const firstUnseen = selected.uids.findIndex((uid) =>
    !shared.byUid.get(uid)!.letters.includes("S")
  );
  if (firstUnseen >= 0) session.sendText(`* OK [UNSEEN ${firstUnseen + 1}] First unseen message`);
  session.sendText(`* OK [UIDVALIDITY ${shared.uidValidity}] UIDs valid`);
  session.sendText(`* OK [UIDNEXT ${shared.uidNext}] Predicted next UID`);
  await selected.saving;
  session.selected = selected;
  session.state = STATE.Selected;
  return {
    status: "OK" as const,
    code: readOnly ? "READ-ONLY" : "READ-WRITE",
    text: `${command.name} completed`,
  };
}

/** RFC 3501 6.3.1. */
export const SELECT: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  run: (session, command) => open(session, command, false),
};

/** RFC 3501 6.3.2: SELECT without the right to change anything. */
export const EXAMINE: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  run: (session, command) => open(session, command, true),
};

/** RFC 3501 6.4.2: silently expunge \Deleted messages (unless read-only), then deselect. */
export const CLOSE: CommandHandler = {
  states: [STATE.Selected],
  async run(session, command) {
    expectArgs(command, 0, "no arguments");
    const selected = session.selected!;
    session.selected = null;
    session.state = STATE.Authenticated;
    if (!selected.readOnly) await selected.shared.expunge(selected.uids);
  },
};

/** RFC 3691: deselect without expunging. */
export const UNSELECT: CommandHandler = {
  states: [STATE.Selected],
  run(session, command) {
    expectArgs(command, 0, "no arguments");
    session.selected = null;
    session.state = STATE.Authenticated;
    return Promise.resolve();
  },
};

/** RFC 3501 6.4.1: a checkpoint; every change is already on disk, so like NOOP. */
export const CHECK: CommandHandler = {
  states: [STATE.Selected],
  run: () => Promise.resolve(),
};
