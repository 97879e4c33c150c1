/**
 * Opening and closing a mailbox (RFC 3501 6.3.1, 6.3.2, 6.4.1, 6.4.2; RFC 3691 UNSELECT),
 * with the CONDSTORE and QRESYNC parameters of RFC 7162 3.1.8 and 3.2.5.
 *
 * @module
 */

import { CONDSTORE, condstoreOn, highestModseqLine, qresyncOn } from "../condstore.ts";
import { STATE } from "../constants.ts";
import { parseQresyncParam, type QresyncParam, vanishedUids } from "../qresync.ts";
import type { Session } from "../session.ts";
import { SelectedMailbox } from "../selected.ts";
import { formatSequenceSet, setContains } from "../sequence_set.ts";
import { atom, type ImapValue, isAtom, list, textOf } from "../values.ts";
import {
  type Command,
  CommandError,
  type CommandHandler,
  expectArgs,
  mailboxArg,
} from "./types.ts";

/** The select parameters (RFC 4466 2.4): (CONDSTORE) and (QRESYNC (...)), or BAD. */
function selectParams(
  value: ImapValue | undefined,
): { condstore: boolean; qresync?: QresyncParam } {
  const out: { condstore: boolean; qresync?: QresyncParam } = { condstore: false };
  if (!value) return out;
  if (value.type !== "list") throw new CommandError("BAD", "SELECT parameters must be a list");
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (isAtom(item, "CONDSTORE")) out.condstore = true;
    else if (isAtom(item, "QRESYNC")) out.qresync = parseQresyncParam(value.items[++i]);
    else {
      throw new CommandError("BAD", `Unknown SELECT parameter ${JSON.stringify(textOf(item))}`);
    }
  }
  return out;
}

async function open(session: Session, command: Command, readOnly: boolean) {
  if (command.args.length < 1 || command.args.length > 2) {
    throw new CommandError("BAD", `${command.name} expects a mailbox name and optional parameters`);
  }
  const name = mailboxArg(command.args[0]);
  const params = selectParams(command.args[1]);
  if (params.qresync && !qresyncOn(session)) {
    // RFC 7162 3.2.3: QRESYNC must be turned on with ENABLE first.
    throw new CommandError("BAD", "QRESYNC parameter used before ENABLE QRESYNC");
  }
  if (session.selected && qresyncOn(session)) {
    // RFC 7162 3.2.11: tell where the old mailbox's responses end.
    session.sendText("* OK [CLOSED] Previous mailbox closed");
  }
  // RFC 7162 3.1.8: SELECT (CONDSTORE) is a CONDSTORE enabling command.
  if (params.condstore) session.enabled.add(CONDSTORE);
  // RFC 3501 6.3.1: a SELECT first deselects, even if it then fails.
  session.selected = null;
  session.state = STATE.Authenticated;
  let shared;
  try {
    shared = await session.mailbox(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || (error as Error).name === "MailboxNameError") {
      throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "NONEXISTENT");
    }
    throw error;
  }
  const selected = new SelectedMailbox(shared, readOnly, session.enabled);
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
  if (condstoreOn(session)) session.sendText(highestModseqLine(shared));
  if (params.qresync?.uidValidity === shared.uidValidity) resync(session, selected, params.qresync);
  await selected.saving;
  session.selected = selected;
  session.state = STATE.Selected;
  return {
    status: "OK" as const,
    code: readOnly ? "READ-ONLY" : "READ-WRITE",
    text: `${command.name} completed`,
  };
}

/**
 * RFC 7162 3.2.5: what changed since the client's HIGHESTMODSEQ, among the UIDs it knows:
 * the vanished ones in one VANISHED (EARLIER), then a FETCH of each changed message.
 * Another UIDVALIDITY means the client's cache is void; then nothing is sent.
 */
function resync(session: Session, selected: SelectedMailbox, param: QresyncParam): void {
  const known = param.knownUids ?? null;
  const vanished = vanishedUids(selected, param.modseq, known, param.seqMatch);
  if (vanished.length) session.sendText(`* VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  const max = selected.shared.uidNext - 1;
  selected.uids.forEach((uid, i) => {
    const record = selected.shared.byUid.get(uid);
    if (!record || record.modseq <= param.modseq) return;
    if (known && !setContains(known, uid, max)) return;
    session.send([atom("*"), atom(i + 1), atom("FETCH"), list(...selected.flagItems(uid, true))]);
  });
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
