/**
 * COPY and MOVE, plain and UID (RFC 3501 6.4.7, RFC 6851, with RFC 4315's COPYUID).
 *
 * @module
 */

import { STATE } from "../constants.ts";
import type { Session } from "../session.ts";
import { formatSequenceSet } from "../sequence_set.ts";
import { targetMailbox } from "./append.ts";
import { sequenceArg } from "./fetch.ts";
import {
  type Command,
  CommandError,
  type CommandHandler,
  type CommandResult,
  mailboxArg,
} from "./types.ts";

/** The bytes of messages COPY holds in memory to store them in one commit. */
const COPY_GROUP_BYTES = 4 * 1024 * 1024;

async function copy(session: Session, command: Command, move: boolean): Promise<CommandResult> {
  if (command.args.length !== 2) {
    throw new CommandError("BAD", `${command.name} expects a sequence set and a mailbox`);
  }
  const selected = session.selected!;
  const set = sequenceArg(command.args[0]);
  const target = await targetMailbox(session, mailboxArg(command.args[1]));
  if (move && selected.readOnly) {
    throw new CommandError("NO", "The mailbox is read-only", "READ-ONLY");
  }
  if (!command.uid && selected.outOfRange(set)) {
    throw new CommandError("BAD", `${command.name}: message sequence number out of range`);
  }
  const source = selected.shared;
  const from: number[] = [], to: number[] = [];
  // Stored in groups, each one commit to disk in the target (mailbox.ts), with a bound
  // on the bytes held at once.
  let group: { bytes: Uint8Array; flags: readonly string[]; date: Date }[] = [];
  let held = 0;
  const store = async () => {
    to.push(...await target.appendMany(group));
    group = [];
    held = 0;
  };
  for (const uid of selected.resolve(set, command.uid)) {
    const record = source.byUid.get(uid);
    const message = record && await source.load(uid);
    if (!record || !message) continue;
    group.push({ bytes: message.bytes, flags: record.flags, date: record.internalDate });
    from.push(uid);
    held += message.bytes.length;
    if (held > COPY_GROUP_BYTES) await store();
  }
  if (group.length) await store();
  const code = from.length
    ? `COPYUID ${target.uidValidity} ${formatSequenceSet(from)} ${formatSequenceSet(to)}`
    : undefined;
  if (!move) return { status: "OK", code, text: "COPY completed" };
  // RFC 6851 3.3: COPYUID comes in an untagged OK before the EXPUNGEs.
  if (code) session.sendText(`* OK [${code}] Moved`);
  // RFC 6851 3.1: into the selected mailbox too, the copies get new UIDs and the
  // originals are expunged.
  await source.expunge(from, false);
  return { status: "OK", text: "MOVE completed" };
}

/** RFC 3501 6.4.7. */
export const COPY: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  run: (session, command) => copy(session, command, false),
};

/** RFC 6851: COPY, then expunge the originals, atomically as far as the client can see. */
export const MOVE: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  run: (session, command) => copy(session, command, true),
};
