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
import { DELIMITER, STATE } from "../constants.ts";
import { readSubscriptions, writeSubscriptions } from "../subscriptions.ts";
import type { Session } from "../session.ts";
import { decodeMailboxName, encodeMailboxName, Utf7Error } from "../utf7.ts";
import { atom, type ImapValue, list, str, textOf } from "../values.ts";
import { astring, CommandError, type CommandHandler, expectArgs, mailboxArg } from "./types.ts";

const AUTHED = [STATE.Authenticated, STATE.Selected] as const;

function noWildcards(name: string): void {
  if (/[*%]/.test(name)) {
    throw new CommandError("NO", "Mailbox names cannot contain * or %", "CANNOT");
  }
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
  },
};

/** RFC 3501 6.3.7. */
export const UNSUBSCRIBE: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 1, "a mailbox name");
    const root = session.maildir!.root;
    const names = await readSubscriptions(root);
    if (names.delete(mailboxArg(command.args[0]))) await writeSubscriptions(root, names);
  },
};

/**
 * A LIST pattern as a regular expression: `*` matches anything, `%` anything but the
 * delimiter (RFC 3501 6.3.8). INBOX matches in any letter case.
 */
export function listPattern(pattern: string): RegExp {
  let source = "";
  for (const c of pattern) {
    source += c === "*" ? ".*" : c === "%" ? "[^/]*" : c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, /^inbox/i.test(pattern) ? "i" : "");
}

/** All folders plus the parents that only exist as a hierarchy level (shown \Noselect). */
async function tree(session: Session): Promise<Map<string, Set<string>>> {
  const real = await session.maildir!.folders();
  const attributes = new Map<string, Set<string>>();
  for (const name of real) attributes.set(name, new Set());
  for (const name of real) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!attributes.has(parent)) attributes.set(parent, new Set(["\\Noselect"]));
      attributes.get(parent)!.add("\\HasChildren");
    }
  }
  for (const attrs of attributes.values()) {
    if (!attrs.has("\\HasChildren")) attrs.add("\\HasNoChildren");
  }
  return attributes;
}

async function listing(session: Session, args: ImapValue[], subscribedOnly: boolean, verb: string) {
  if (args.length !== 2) throw new CommandError("BAD", `${verb} expects a reference and a pattern`);
  const reference = astring(args[0], "a reference name");
  const pattern = astring(args[1], "a mailbox pattern");
  if (pattern === "") {
    // RFC 3501 6.3.8: an empty pattern asks for the delimiter and root.
    session.send([atom("*"), atom(verb), list(atom("\\Noselect")), str(DELIMITER), str("")]);
    return;
  }
  let full = reference + pattern;
  try {
    full = decodeMailboxName(full);
  } catch (error) {
    if (error instanceof Utf7Error) return; // no mailbox can have that name: nothing matches
    throw error;
  }
  const match = listPattern(full);
  const entries = subscribedOnly
    ? subscribedEntries(await readSubscriptions(session.maildir!.root), full, match)
    : [...await tree(session)].filter(([name]) => match.test(name));
  for (const [name, attrs] of entries.sort(([a], [b]) => compareNames(a, b))) {
    session.send([
      atom("*"),
      atom(verb),
      list(...[...attrs].map((a) => atom(a))),
      str(DELIMITER),
      str(encodeMailboxName(name)),
    ]);
  }
}

/** INBOX first, then by code point. */
function compareNames(a: string, b: string): number {
  return a === "INBOX" ? -1 : b === "INBOX" ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What LSUB lists (RFC 3501 6.3.9): the subscribed names that match, whether or not the
 * mailbox exists; and, for a `%` that stops at a level, the unsubscribed parent of a
 * subscribed child with \Noselect ("foo" for a subscribed "foo/bar", which "%" alone
 * would not reach). \Noselect in LSUB means "not subscribed", not "does not exist".
 */
function subscribedEntries(
  subscribed: ReadonlySet<string>,
  pattern: string,
  match: RegExp,
): [string, Set<string>][] {
  const out = new Map<string, Set<string>>();
  const deep = listPattern(pattern.replaceAll("%", "*"));
  for (const name of subscribed) {
    if (match.test(name)) {
      out.set(name, new Set());
      continue;
    }
    if (!deep.test(name)) continue;
    const parts = name.split(DELIMITER);
    for (let i = parts.length - 1; i > 0; i--) {
      const parent = parts.slice(0, i).join(DELIMITER);
      if (!subscribed.has(parent) && match.test(parent)) {
        out.set(parent, new Set(["\\Noselect"]));
        break;
      }
    }
  }
  return [...out];
}

/** RFC 3501 6.3.8. */
export const LIST: CommandHandler = {
  states: AUTHED,
  run: (session, command) => listing(session, command.args, false, "LIST"),
};

/** RFC 3501 6.3.9. */
export const LSUB: CommandHandler = {
  states: AUTHED,
  run: (session, command) => listing(session, command.args, true, "LSUB"),
};

/** RFC 2342: one personal namespace, no prefix, "/" as delimiter. */
export const NAMESPACE: CommandHandler = {
  states: AUTHED,
  run(session) {
    session.sendText(`* NAMESPACE (("" "${DELIMITER}")) NIL NIL`);
    return Promise.resolve();
  },
};

/** RFC 3501 6.3.10 (and SIZE, DELETED of RFC 9051 6.3.11). */
export const STATUS: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    expectArgs(command, 2, "a mailbox name and a list of status items");
    const name = mailboxArg(command.args[0]);
    const items = command.args[1];
    if (items.type !== "list" || !items.items.length) {
      throw new CommandError("BAD", "STATUS expects a parenthesized list of items");
    }
    const shared = await session.config.registry.get(session.user!, session.maildir!, name).catch(
      (error) => {
        if (error instanceof Deno.errors.NotFound) {
          throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "NONEXISTENT");
        }
        throw error;
      },
    );
    const out: ImapValue[] = [];
    for (const item of items.items) {
      const word = textOf(item)?.toUpperCase();
      let value: number;
      switch (word) {
        case "MESSAGES":
          value = shared.messages.length;
          break;
        case "RECENT":
          value = shared.recentCount();
          break;
        case "UIDNEXT":
          value = shared.uidNext;
          break;
        case "UIDVALIDITY":
          value = shared.uidValidity;
          break;
        case "UNSEEN":
          value = shared.messages.filter((m) => !m.letters.includes("S")).length;
          break;
        case "DELETED":
          value = shared.messages.filter((m) => m.letters.includes("T")).length;
          break;
        case "SIZE":
          value = shared.messages.reduce((n, m) => n + m.diskSize, 0);
          break;
        default:
          throw new CommandError("BAD", `Unknown STATUS item ${JSON.stringify(textOf(item))}`);
      }
      out.push(atom(word), atom(value));
    }
    session.send([atom("*"), atom("STATUS"), str(encodeMailboxName(name)), list(...out)]);
  },
};
