/**
 * Mailbox management (RFC 3501 6.3.3 to 6.3.10; RFC 2342 NAMESPACE): CREATE, DELETE,
 * RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS.
 *
 * Names arrive in modified UTF-7 with "/" as the hierarchy delimiter; the Maildir store
 * turns "A/B" into the Maildir++ directory ".A.B" and refuses names that could escape
 * the user's Maildir ("..", NUL, a leading ".", ...).
 *
 * @module
 */

import { checkFolderName } from "../../maildir/mod.ts";
import { enableCondstore } from "../condstore.ts";
import { DELIMITER, STATE } from "../constants.ts";
import { readSubscriptions, writeSubscriptions } from "../subscriptions.ts";
import { affectedNames, type MailboxChange } from "../notify.ts";
import { listAttributes } from "./list.ts";
import type { Session } from "../session.ts";
import { encodeMailboxName } from "../utf7.ts";
import { atom, type ImapValue, list, str, textOf } from "../values.ts";
import { CommandError, type CommandHandler, expectArgs, mailboxArg } from "./types.ts";

const AUTHED = [STATE.Authenticated, STATE.Selected] as const;

function noWildcards(name: string): void {
  if (/[*%]/.test(name)) {
    throw new CommandError("NO", "Mailbox names cannot contain * or %", "CANNOT");
  }
}

/**
 * Tell the user's other sessions, for NOTIFY's MailboxName and SubscriptionChange
 * (notify.ts), with the LIST responses' attributes as they are right after the change.
 */
async function tellOthers(session: Session, change: MailboxChange): Promise<void> {
  const user = session.user!;
  if (!session.mailboxEvents.listening(user)) return;
  const lists = await Promise.all(
    affectedNames(change).map(async (name) => ({
      name,
      attrs: await listAttributes(session, name),
      oldName: change.kind === "renamed" ? change.oldName : undefined,
    })),
  );
  session.mailboxEvents.publish(user, { ...change, lists }, session);
}

/** RFC 3501 6.3.3. A trailing delimiter is dropped ("Archive/" creates "Archive"). */
export const CREATE: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 1, "a mailbox name");
    const name = mailboxArg(command.args[0]).replace(/\/+$/, "");
    if (name === "INBOX") throw new CommandError("NO", "INBOX always exists", "ALREADYEXISTS");
    noWildcards(name);
    try {
      await session.maildir!.createFolder(name);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new CommandError("NO", `Mailbox ${name} already exists`, "ALREADYEXISTS");
      }
      throw error;
    }
    await tellOthers(session, { kind: "created", name });
  },
};

/** RFC 3501 6.3.4. INBOX cannot be deleted. */
export const DELETE: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 1, "a mailbox name");
    const name = mailboxArg(command.args[0]);
    if (name === "INBOX") throw new CommandError("NO", "INBOX cannot be deleted", "CANNOT");
    await session.maildir!.deleteFolder(name);
    session.config.registry.forget(session.user!, name);
    await tellOthers(session, { kind: "deleted", name });
    if (session.selected?.shared.folder === name) {
      session.selected = null;
      session.state = STATE.Authenticated;
    }
  },
};

/** RFC 3501 6.3.5. Renaming INBOX moves its messages and leaves it empty. */
export const RENAME: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 2, "two mailbox names");
    const from = mailboxArg(command.args[0]);
    const to = mailboxArg(command.args[1]).replace(/\/+$/, "");
    noWildcards(to);
    try {
      await session.maildir!.renameFolder(from, to);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new CommandError("NO", `Mailbox ${to} already exists`, "ALREADYEXISTS");
      }
      throw error;
    }
    session.config.registry.forget(session.user!, from);
    // RFC 5465 5.4: "When INBOX is renamed, a new INBOX is assumed to be created. No
    // MailboxName event is sent for INBOX in this case."
    await tellOthers(
      session,
      from === "INBOX"
        ? { kind: "created", name: to }
        : { kind: "renamed", name: to, oldName: from },
    );
  },
};

/**
 * RFC 3501 6.3.6. The name need not exist, but it must be one CREATE would accept
 * (no CR, LF, NUL...): a MailboxNameError becomes NO [CANNOT] in the dispatcher.
 * Subscriptions live in `course-subscriptions` (see subscriptions.ts).
 */
export const SUBSCRIBE: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 1, "a mailbox name");
    const name = checkFolderName(mailboxArg(command.args[0]));
    const root = session.maildir!.root;
    const names = await readSubscriptions(root);
    names.add(name);
    await writeSubscriptions(root, names);
    await tellOthers(session, { kind: "subscription", name });
  },
};

/** RFC 3501 6.3.7. */
export const UNSUBSCRIBE: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 1, "a mailbox name");
    const root = session.maildir!.root;
    const names = await readSubscriptions(root);
    const name = mailboxArg(command.args[0]);
    if (!names.delete(name)) return;
    await writeSubscriptions(root, names);
    await tellOthers(session, { kind: "subscription", name });
  },
};

/** RFC 2342: one personal namespace, no prefix, "/" as delimiter. */
export const NAMESPACE: CommandHandler = {
  states: AUTHED,
  run(session) {
    session.sendText(`* NAMESPACE (("" "${DELIMITER}")) NIL NIL`);
    return Promise.resolve();
  },
};

/**
 * The values of a STATUS response for `name` (RFC 3501 6.3.10, and SIZE and DELETED of
 * RFC 9051 6.3.11): `MESSAGES 3 UNSEEN 1`. LIST-STATUS (RFC 5819) uses it too.
 */
export async function statusValues(
  session: Session,
  name: string,
  items: ImapValue,
): Promise<ImapValue[]> {
  if (items.type !== "list" || !items.items.length) {
    throw new CommandError("BAD", "STATUS expects a parenthesized list of items");
  }
  const words = items.items.map((item) => {
    const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
    if (!STATUS_ITEMS.has(word)) {
      throw new CommandError("BAD", `Unknown STATUS item ${JSON.stringify(textOf(item))}`);
    }
    return word;
  });
  // RFC 7162 3.1: STATUS (HIGHESTMODSEQ) is CONDSTORE enabling.
  if (words.includes("HIGHESTMODSEQ")) enableCondstore(session);
  const shared = await session.mailbox(name).catch(
    (error) => {
      if (error instanceof Deno.errors.NotFound) {
        throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "NONEXISTENT");
      }
      throw error;
    },
  );
  const out: ImapValue[] = [];
  for (const word of words) {
    const value = word === "MESSAGES"
      ? shared.messages.length
      : word === "RECENT"
      ? shared.recentCount()
      : word === "UIDNEXT"
      ? shared.uidNext
      : word === "UIDVALIDITY"
      ? shared.uidValidity
      : word === "UNSEEN"
      ? shared.messages.filter((m) => !m.letters.includes("S")).length
      : word === "DELETED"
      ? shared.messages.filter((m) => m.letters.includes("T")).length
      : word === "HIGHESTMODSEQ"
      ? shared.highestModseq
      : shared.messages.reduce((n, m) => n + m.diskSize, 0); // SIZE
    out.push(atom(word), atom(value));
  }
  return out;
}

const STATUS_ITEMS = new Set([
  "MESSAGES",
  "RECENT",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "DELETED",
  "SIZE",
  "HIGHESTMODSEQ", // RFC 7162 3.1.7
]);

/** RFC 3501 6.3.10 (and SIZE, DELETED of RFC 9051 6.3.11). */
export const STATUS: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 2, "a mailbox name and a list of status items");
    const name = mailboxArg(command.args[0]);
    const values = await statusValues(session, name, command.args[1]);
    session.send([atom("*"), atom("STATUS"), str(encodeMailboxName(name)), list(...values)]);
  },
};
