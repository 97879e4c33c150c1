/**
 * LIST and LSUB (RFC 3501 6.3.8, 6.3.9), with LIST-EXTENDED (RFC 5258: selection options
 * SUBSCRIBED, REMOTE and RECURSIVEMATCH, several patterns, RETURN (SUBSCRIBED CHILDREN)),
 * LIST-STATUS (RFC 5819: RETURN (STATUS (...)), the STATUS of every mailbox listed) and
 * SPECIAL-USE (RFC 6154: \\Sent, \\Drafts, \\Trash, \\Junk and \\Archive on the folders
 * with those well-known names).
 *
 * @module
 */

import { DELIMITER, STATE } from "../constants.ts";
import type { Session } from "../session.ts";
import { readSubscriptions } from "../subscriptions.ts";
import { decodeMailboxName, encodeMailboxName, Utf7Error } from "../utf7.ts";
import { atom, type ImapValue, isAtom, list, str, textOf } from "../values.ts";
import { statusValues } from "./mailboxes.ts";
import { astring, CommandError, type CommandHandler } from "./types.ts";

const AUTHED = [STATE.Authenticated, STATE.Selected] as const;

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

/**
 * Folder names that mark a special use (RFC 6154 2), as mail programs name them. The
 * attribute travels with the name: renaming "Sent" to "Old" drops \\Sent.
 */
export const SPECIAL_USE: Readonly<Record<string, string>> = {
  Sent: "\\Sent",
  Drafts: "\\Drafts",
  Trash: "\\Trash",
  Junk: "\\Junk",
  Archive: "\\Archive",
};

/** All folders plus the parents that only exist as a hierarchy level (shown \\Noselect). */
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
  for (const [name, attrs] of attributes) {
    if (!attrs.has("\\HasChildren")) attrs.add("\\HasNoChildren");
    if (SPECIAL_USE[name] && !attrs.has("\\Noselect")) attrs.add(SPECIAL_USE[name]);
  }
  return attributes;
}

/**
 * The attributes a LIST response shows for one name now, \Subscribed included when it
 * is subscribed, \NonExistent when there is no such mailbox (NOTIFY's LIST responses,
 * RFC 5465 5.4, 5.5: "all mailbox attributes MUST be accurately computed").
 */
export async function listAttributes(session: Session, name: string): Promise<string[]> {
  const known = (await tree(session)).get(name);
  const attrs = known ? [...known] : ["\\NonExistent"];
  if ((await readSubscriptions(session.maildir!.root)).has(name)) attrs.push("\\Subscribed");
  return attrs;
}

/** INBOX first, then by code point. */
function compareNames(a: string, b: string): number {
  return a === "INBOX" ? -1 : b === "INBOX" ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** A LIST command, its RFC 5258 options spelled out. */
interface ListRequest {
  reference: string;
  patterns: string[];
  /** Selection: only subscribed names (SUBSCRIBED), and their matching parents (RECURSIVEMATCH). */
  subscribedOnly: boolean;
  recursive: boolean;
  /** Selection: only mailboxes with a special use (RFC 6154 5.3). */
  specialUseOnly: boolean;
  /** Return options. */
  returnSubscribed: boolean;
  returnChildren: boolean;
  /** LIST-STATUS items, or null. */
  status: ImapValue | null;
}

const SELECT_OPTIONS = new Set(["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]);
const RETURN_OPTIONS = new Set(["SUBSCRIBED", "CHILDREN", "STATUS", "SPECIAL-USE"]);

/** Read `LIST [(select)] reference (pattern / (patterns)) [RETURN (options)]`. */
function parseList(args: readonly ImapValue[]): ListRequest {
  let i = 0;
  const request: ListRequest = {
    reference: "",
    patterns: [],
    subscribedOnly: false,
    recursive: false,
    specialUseOnly: false,
    returnSubscribed: false,
    returnChildren: false,
    status: null,
  };
  if (args[0]?.type === "list") {
    for (const item of args[i++].type === "list" ? (args[0] as { items: ImapValue[] }).items : []) {
      const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
      if (!SELECT_OPTIONS.has(word)) {
        throw new CommandError(
          "BAD",
          `LIST: unknown selection option ${JSON.stringify(textOf(item))}`,
        );
      }
      if (word === "SUBSCRIBED") request.subscribedOnly = true;
      if (word === "RECURSIVEMATCH") request.recursive = true;
      if (word === "SPECIAL-USE") request.specialUseOnly = true;
    }
    // RFC 5258 3.1: RECURSIVEMATCH only refines another selection option (not REMOTE).
    if (request.recursive && !request.subscribedOnly) {
      throw new CommandError("BAD", "LIST: RECURSIVEMATCH needs the SUBSCRIBED selection option");
    }
  }
  if (args.length - i < 2) throw new CommandError("BAD", "LIST expects a reference and a pattern");
  request.reference = astring(args[i++], "a reference name");
  const pattern = args[i++];
  request.patterns = pattern.type === "list"
    ? pattern.items.map((p) => astring(p, "a mailbox pattern"))
    : [astring(pattern, "a mailbox pattern")];
  if (i < args.length) {
    const options = args[i + 1];
    if (!isAtom(args[i], "RETURN") || options?.type !== "list" || i + 2 !== args.length) {
      throw new CommandError("BAD", "LIST: expected RETURN (options) at the end");
    }
    for (let j = 0; j < options.items.length; j++) {
      const item = options.items[j];
      const word = item.type === "atom" ? textOf(item)!.toUpperCase() : "";
      if (!RETURN_OPTIONS.has(word)) {
        throw new CommandError(
          "BAD",
          `LIST: unknown return option ${JSON.stringify(textOf(item))}`,
        );
      }
      if (word === "SUBSCRIBED") request.returnSubscribed = true;
      if (word === "CHILDREN") request.returnChildren = true;
      if (word === "STATUS") {
        const items = options.items[++j];
        if (items?.type !== "list" || !items.items.length) {
          throw new CommandError("BAD", "LIST: RETURN (STATUS ...) expects a list of status items");
        }
        request.status = items;
      }
    }
  }
  return request;
}

/** One LIST reply: name, attributes, and whether a descendant matched the selection instead. */
type Entry = { name: string; attrs: string[]; childInfo: boolean };

async function entries(session: Session, request: ListRequest): Promise<Entry[] | null> {
  const matchers: RegExp[] = [];
  for (const pattern of request.patterns) {
    try {
      matchers.push(listPattern(decodeMailboxName(request.reference + pattern)));
    } catch (error) {
      if (!(error instanceof Utf7Error)) throw error; // no mailbox can have that name
    }
  }
  const matches = (name: string) => matchers.some((m) => m.test(name));
  const folders = await tree(session);
  const subscribed = await readSubscriptions(session.maildir!.root);
  const out = new Map<string, Entry>();
  if (!request.subscribedOnly) {
    for (const [name, attrs] of folders) {
      const special = SPECIAL_USE[name] && attrs.has(SPECIAL_USE[name]);
      if (!matches(name) || (request.specialUseOnly && !special)) continue;
      const shown = [...attrs];
      if (request.returnSubscribed && subscribed.has(name)) shown.push("\\Subscribed");
      out.set(name, { name, attrs: shown, childInfo: false });
    }
    return [...out.values()];
  }
  for (const name of subscribed) {
    if (!matches(name)) continue;
    const attrs = ["\\Subscribed"];
    const known = folders.get(name);
    if (!known) attrs.push("\\NonExistent");
    else if (request.returnChildren) {
      attrs.push(...[...known].filter((a) => a !== "\\HasNoChildren" || !known.has("\\Noselect")));
    }
    out.set(name, { name, attrs, childInfo: false });
  }
  if (request.recursive) {
    // RFC 5258 3.5: a matching parent of a subscribed name that is not itself listed.
    for (const name of subscribed) {
      if (matches(name)) continue;
      const parts = name.split(DELIMITER);
      for (let i = parts.length - 1; i > 0; i--) {
        const parent = parts.slice(0, i).join(DELIMITER);
        if (!matches(parent)) continue;
        const entry = out.get(parent) ??
          { name: parent, attrs: folders.has(parent) ? [] : ["\\NonExistent"], childInfo: false };
        if (request.returnChildren && folders.has(parent)) entry.attrs.push("\\HasChildren");
        entry.childInfo = true;
        out.set(parent, entry);
      }
    }
  }
  return [...out.values()];
}

/** RFC 3501 6.3.8 with RFC 5258, RFC 5819 and RFC 6154. */
export const LIST: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    const request = parseList(command.args);
    if (request.patterns.length === 1 && request.patterns[0] === "" && !request.subscribedOnly) {
      // RFC 3501 6.3.8: an empty pattern asks for the delimiter and root.
      session.send([atom("*"), atom("LIST"), list(atom("\\Noselect")), str(DELIMITER), str("")]);
      return;
    }
    const found = await entries(session, request);
    for (const entry of (found ?? []).sort((a, b) => compareNames(a.name, b.name))) {
      const line = [
        atom("*"),
        atom("LIST"),
        list(...[...new Set(entry.attrs)].map((a) => atom(a))),
        str(DELIMITER),
        str(encodeMailboxName(entry.name)),
      ];
      if (entry.childInfo) line.push(list(atom("CHILDINFO"), list(str("SUBSCRIBED"))));
      session.send(line);
      const selectable = !entry.attrs.some((a) => a === "\\Noselect" || a === "\\NonExistent");
      if (request.status && selectable) {
        // RFC 5819: the mailbox's STATUS right after its LIST line.
        const values = await statusValues(session, entry.name, request.status).catch(() => null);
        if (values) {
          session.send([
            atom("*"),
            atom("STATUS"),
            str(encodeMailboxName(entry.name)),
            list(...values),
          ]);
        }
      }
    }
  },
};

/**
 * What LSUB lists (RFC 3501 6.3.9): the subscribed names that match, whether or not the
 * mailbox exists; and, for a `%` that stops at a level, the unsubscribed parent of a
 * subscribed child with \\Noselect ("foo" for a subscribed "foo/bar", which "%" alone
 * would not reach). \\Noselect in LSUB means "not subscribed", not "does not exist".
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

/** RFC 3501 6.3.9. */
export const LSUB: CommandHandler = {
  states: AUTHED,
  async run(session, command) {
    if (command.args.length !== 2) {
      throw new CommandError("BAD", "LSUB expects a reference and a pattern");
    }
    const reference = astring(command.args[0], "a reference name");
    const pattern = astring(command.args[1], "a mailbox pattern");
    if (pattern === "") {
      session.send([atom("*"), atom("LSUB"), list(atom("\\Noselect")), str(DELIMITER), str("")]);
      return;
    }
    let full;
    try {
      full = decodeMailboxName(reference + pattern);
    } catch (error) {
      if (error instanceof Utf7Error) return; // no mailbox can have that name
      throw error;
    }
    const subscribed = await readSubscriptions(session.maildir!.root);
    const found = subscribedEntries(subscribed, full, listPattern(full));
    for (const [name, attrs] of found.sort(([a], [b]) => compareNames(a, b))) {
      session.send([
        atom("*"),
        atom("LSUB"),
        list(...[...attrs].map((a) => atom(a))),
        str(DELIMITER),
        str(encodeMailboxName(name)),
      ]);
    }
  },
};
