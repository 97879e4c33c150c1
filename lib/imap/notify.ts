/**
 * NOTIFY (RFC 5465): the client says once which events it wants, for which mailboxes,
 * and the server pushes them as they happen, between commands as well as during them.
 * IDLE (idle.ts) only watches the selected mailbox while the client waits in IDLE;
 * NOTIFY watches any mailboxes, all the time, and says what happened in other
 * mailboxes with STATUS (RFC 5465 5.1 to 5.3) and name and subscription changes with
 * LIST (RFC 5465 5.4, 5.5).
 *
 * The pieces:
 * - {@linkcode parseNotify} reads `NOTIFY SET [STATUS] (filter events)...` or
 *   `NOTIFY NONE` (RFC 5465 8) into a {@linkcode NotifyRequest}, refusing what the RFC
 *   refuses: BAD for bad syntax and forbidden combinations, NO [BADEVENT (...)] for
 *   events we do not support (RFC 5465 3.1).
 * - {@linkcode Notify}, one per session, holds what the client asked for. It listens to
 *   each watched folder through the server's {@linkcode MailboxRegistry}: the folder's
 *   shared state and its one file-system watcher serve every session (IDLE or NOTIFY)
 *   that listens, so a change made by another session, by SMTP delivery into the
 *   Maildir or by any other program reaches them all, and a waiting session costs no
 *   CPU. Mailbox name and subscription changes made by the server's sessions reach the
 *   others through {@linkcode MailboxEvents}.
 * - The session (session.ts) asks {@linkcode Notify.news} for a promise that resolves
 *   when there is something to tell; the transport waits for "the next command or news,
 *   whichever comes first" and feeds the session a `news` input, which calls
 *   {@linkcode Notify.deliver}. While a command runs, news waits for its end (the
 *   session is one step at a time), and is told before the tagged reply.
 * - RFC 5465 7 lets a live search (`SEARCH RETURN (UPDATE (fetch-att ...))`, RFC 5267)
 *   ask for FETCH responses for new messages that join it: esearch.ts reads it,
 *   commands/search.ts finds them, and the session sends them between EXISTS and the
 *   ESEARCH ADDTO.
 *
 * @module
 */

import type { Maildir } from "../maildir/mod.ts";
import { CONDSTORE, QRESYNC } from "./condstore.ts";
import { DELIMITER } from "./constants.ts";
import type { MailboxRegistry, SharedMailbox } from "./mailbox.ts";
import { readSubscriptions } from "./subscriptions.ts";
import { encodeMailboxName } from "./utf7.ts";
import { atom, type ImapValue, list, str, textOf } from "./values.ts";
import { CommandError, mailboxArg } from "./commands/types.ts";

/** The event names of RFC 5465 5 (and 8 `event-name`), as clients spell them. */
export const NOTIFY_EVENT = {
  /** RFC 5465 5.2: EXISTS (and FETCH) in the selected mailbox, STATUS elsewhere. */
  MessageNew: "MessageNew",
  /** RFC 5465 5.3: EXPUNGE or VANISHED in the selected mailbox, STATUS elsewhere. */
  MessageExpunge: "MessageExpunge",
  /** RFC 5465 5.1: FETCH (UID FLAGS) in the selected mailbox, STATUS elsewhere. */
  FlagChange: "FlagChange",
  /** RFC 5465 5.1: message annotations (RFC 5257), which we do not keep. */
  AnnotationChange: "AnnotationChange",
  /** RFC 5465 5.4: LIST for a created, deleted or renamed mailbox. */
  MailboxName: "MailboxName",
  /** RFC 5465 5.5: LIST for a mailbox subscribed or unsubscribed. */
  SubscriptionChange: "SubscriptionChange",
  /** RFC 5465 5.6: METADATA (RFC 5464), which we do not offer. */
  MailboxMetadataChange: "MailboxMetadataChange",
  /** RFC 5465 5.7: server METADATA (RFC 5464), which we do not offer. */
  ServerMetadataChange: "ServerMetadataChange",
} as const;

/** One of {@linkcode NOTIFY_EVENT}. */
export type NotifyEvent = typeof NOTIFY_EVENT[keyof typeof NOTIFY_EVENT];

/**
 * The events we support, in the order a BADEVENT response lists them (RFC 5465 3.1: it
 * "MUST list names of all events supported by the server").
 */
export const SUPPORTED_EVENTS: readonly NotifyEvent[] = [
  "MessageNew",
  "MessageExpunge",
  "FlagChange",
  "MailboxName",
  "SubscriptionChange",
];

/** RFC 5465 8 `message-event`: the only events SELECTED and SELECTED-DELAYED may carry. */
const MESSAGE_EVENTS: ReadonlySet<string> = new Set([
  "MessageNew",
  "MessageExpunge",
  "FlagChange",
  "AnnotationChange",
]);

/** The mailboxes an event group names (RFC 5465 6, 8 `filter-mailboxes-other`). */
export type MailboxFilter =
  | { kind: "personal" | "inboxes" | "subscribed" }
  | { kind: "subtree" | "mailboxes"; names: string[] };

/** One `(filter events)` group for mailboxes other than the selected one. */
export interface EventGroup {
  filter: MailboxFilter;
  events: ReadonlySet<NotifyEvent>;
}

/** What the client asked for with NOTIFY SET (RFC 5465 3.1). */
export interface NotifyRequest {
  /** The STATUS indicator: a STATUS response for each watched mailbox before the OK. */
  status: boolean;
  /** RFC 5465 6.1: events for the selected mailbox, or null for none. */
  selected: {
    /** SELECTED-DELAYED (6.1.2): expunges wait for a command that may report them. */
    delayed: boolean;
    events: ReadonlySet<NotifyEvent>;
    /** MessageNew's fetch-att list (RFC 5465 5.2), as FETCH parses it, or null. */
    fetch: ImapValue | null;
  } | null;
  groups: EventGroup[];
}

/**
 * Read NOTIFY's arguments (RFC 5465 8): null for `NONE`, else the request.
 *
 * @throws {CommandError} BAD for bad syntax and forbidden combinations, NO [BADEVENT]
 *   for an event we do not support.
 *
 * @example Watch one mailbox and the selected one
 * ```ts
 * import { parseNotify } from "./notify.ts";
 * import { atom, list } from "./values.ts";
 * const request = parseNotify([
 *   atom("SET"),
 *   list(atom("selected"), list(atom("MessageNew"), atom("MessageExpunge"))),
 *   list(atom("mailboxes"), atom("Lists"), list(atom("MessageNew"))),
 * ]);
 * if (request?.groups[0].filter.kind !== "mailboxes") throw new Error("unexpected");
 * ```
 */
export function parseNotify(args: readonly ImapValue[]): NotifyRequest | null {
  const verb = args[0]?.type === "atom" ? textOf(args[0])!.toUpperCase() : "";
  if (verb === "NONE") {
    if (args.length !== 1) throw new CommandError("BAD", "NOTIFY NONE takes no arguments");
    return null;
  }
  if (verb !== "SET") throw new CommandError("BAD", "NOTIFY expects SET or NONE");
  let i = 1;
  const request: NotifyRequest = { status: false, selected: null, groups: [] };
  if (args[i]?.type === "atom" && textOf(args[i])!.toUpperCase() === "STATUS") {
    request.status = true;
    i++;
  }
  if (i >= args.length) throw new CommandError("BAD", "NOTIFY SET expects event groups");
  const unsupported = new Set<string>();
  for (; i < args.length; i++) {
    const group = args[i];
    if (group.type !== "list" || group.items.length < 2) {
      throw new CommandError("BAD", "NOTIFY SET: an event group is (filter events)");
    }
    const filter = group.items[0].type === "atom" ? textOf(group.items[0])!.toLowerCase() : "";
    let at = 1;
    if (filter === "selected" || filter === "selected-delayed") {
      if (request.selected) {
        throw new CommandError("BAD", "NOTIFY SET: only one of SELECTED and SELECTED-DELAYED");
      }
      const { events, fetch } = readEvents(group.items.slice(at), true, unsupported);
      checkSelectedEvents(events);
      request.selected = { delayed: filter === "selected-delayed", events, fetch };
      continue;
    }
    let mailboxFilter: MailboxFilter;
    if (filter === "subtree" || filter === "mailboxes") {
      const names = group.items[at++];
      const values = names?.type === "list" ? names.items : names ? [names] : [];
      if (!values.length) {
        throw new CommandError("BAD", `NOTIFY SET: ${filter} expects one or more mailboxes`);
      }
      mailboxFilter = { kind: filter, names: values.map((v) => mailboxArg(v)) };
    } else if (filter === "personal" || filter === "inboxes" || filter === "subscribed") {
      mailboxFilter = { kind: filter };
    } else {
      throw new CommandError(
        "BAD",
        `NOTIFY SET: unknown mailbox filter ${JSON.stringify(textOf(group.items[0]))}`,
      );
    }
    const { events } = readEvents(group.items.slice(at), false, unsupported);
    request.groups.push({ filter: mailboxFilter, events });
  }
  if (unsupported.size) {
    throw new CommandError(
      "NO",
      `NOTIFY: unsupported events ${[...unsupported].join(", ")}`,
      `BADEVENT (${SUPPORTED_EVENTS.join(" ")})`,
    );
  }
  return request;
}

/** `events` (RFC 5465 8): `NONE` or `(event ...)`, MessageNew maybe with its fetch-atts. */
function readEvents(
  rest: readonly ImapValue[],
  selected: boolean,
  unsupported: Set<string>,
): { events: Set<NotifyEvent>; fetch: ImapValue | null } {
  const [value] = rest;
  if (rest.length !== 1) {
    throw new CommandError("BAD", "NOTIFY SET: an event group is (filter events)");
  }
  const events = new Set<NotifyEvent>();
  let fetch: ImapValue | null = null;
  if (value.type === "atom" && textOf(value)!.toUpperCase() === "NONE") return { events, fetch };
  if (value.type !== "list" || !value.items.length) {
    throw new CommandError("BAD", "NOTIFY SET: events are NONE or a list of event names");
  }
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    const name = item.type === "atom" ? textOf(item)! : "";
    if (!/^[A-Za-z0-9-]+$/.test(name)) {
      throw new CommandError("BAD", "NOTIFY SET: an event is an atom");
    }
    const known = Object.values(NOTIFY_EVENT).find((e) => e.toLowerCase() === name.toLowerCase());
    if (selected && (!known || !MESSAGE_EVENTS.has(known))) {
      // RFC 5465 6.1: "It is an error to specify other types of events" with SELECTED.
      throw new CommandError("BAD", `NOTIFY SET: ${name} is not a message event for SELECTED`);
    }
    if (!known || !SUPPORTED_EVENTS.includes(known)) {
      unsupported.add(known ?? name); // RFC 5465 8 `event-ext`: an event we do not know
      continue;
    }
    events.add(known);
    if (known === "MessageNew" && value.items[i + 1]?.type === "list") {
      // RFC 5465 8: "The fetch-att list may only be present for the SELECTED/SELECTED-DELAYED".
      if (!selected) {
        throw new CommandError("BAD", "NOTIFY SET: fetch attributes need SELECTED");
      }
      fetch = value.items[++i];
    }
  }
  return { events, fetch };
}

/**
 * RFC 5465 5: MessageNew and MessageExpunge go together, and FlagChange needs both;
 * otherwise BAD. We apply the rule to the selected mailbox, where sequence numbers
 * depend on it; for other mailboxes each event is a STATUS of its own, and a lone
 * MessageExpunge is accepted there, as Dovecot does and imaptest's `notify` script
 * expects.
 */
function checkSelectedEvents(events: ReadonlySet<NotifyEvent>): void {
  const news = events.has("MessageNew"), expunges = events.has("MessageExpunge");
  if (news !== expunges) {
    throw new CommandError("BAD", "NOTIFY SET: MessageNew and MessageExpunge go together");
  }
  if (events.has("FlagChange") && !news) {
    throw new CommandError("BAD", "NOTIFY SET: FlagChange needs MessageNew and MessageExpunge");
  }
}

/** Whether a filter covers a mailbox name (RFC 5465 6.2 to 6.6). */
export function filterMatches(
  filter: MailboxFilter,
  name: string,
  subscribed: ReadonlySet<string>,
): boolean {
  switch (filter.kind) {
    case "personal":
    // RFC 5465 6.3: a server that cannot easily tell which mailboxes receive mail MUST
    // treat "inboxes" as "personal". Ours cannot: any folder may be delivered to.
    case "inboxes":
      return true;
    case "subscribed":
      return subscribed.has(name);
    case "subtree":
      return filter.names.some((n) => name === n || name.startsWith(n + DELIMITER));
    case "mailboxes":
      // RFC 5465 6.6: no wildcard expansion.
      return filter.names.includes(name);
  }
}

/** A change to a mailbox's name or subscription, made by one of the server's sessions. */
export type MailboxChange =
  | { kind: "created" | "deleted"; name: string }
  | { kind: "renamed"; name: string; oldName: string }
  | { kind: "subscription"; name: string };

/**
 * A change as other sessions hear it: with the LIST responses that tell it, their
 * attributes taken right after the change (RFC 5465 5.4, 5.5).
 */
export type MailboxNews = MailboxChange & { lists: ListNews[] };

/** One LIST response: name, attributes, and the old name of a renamed mailbox. */
export interface ListNews {
  name: string;
  attrs: string[];
  oldName?: string;
}

/**
 * The names whose LIST responses tell a change (RFC 5465 5.4): the mailbox; for a
 * creation or deletion also "its direct parent (whether it is an existing mailbox or
 * not)"; for a rename the new name only, with the old one in OLDNAME.
 */
export function affectedNames(change: MailboxChange): string[] {
  const names = [change.name];
  if (change.kind === "created" || change.kind === "deleted") {
    const at = change.name.lastIndexOf(DELIMITER);
    if (at > 0) names.push(change.name.slice(0, at));
  }
  return names;
}

/**
 * The server's sessions tell each other about mailbox names and subscriptions (RFC 5465
 * 5.4, 5.5) through this, one per server, per user. The session that made the change
 * is not told (RFC 5465 5: the server SHOULD omit events caused by this client).
 */
export class MailboxEvents {
  readonly #listeners = new Map<string, Set<(change: MailboxNews, origin: unknown) => void>>();

  /** Listen to a user's changes; returns the function that stops it. */
  listen(user: string, listener: (change: MailboxNews, origin: unknown) => void): () => void {
    let set = this.#listeners.get(user);
    if (!set) this.#listeners.set(user, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size && this.#listeners.get(user) === set) this.#listeners.delete(user);
    };
  }

  /** Whether anyone listens to a user's changes (else there is nothing to work out). */
  listening(user: string): boolean {
    return this.#listeners.has(user);
  }

  /** Tell a user's listeners; `origin` is the session that made the change. */
  publish(user: string, change: MailboxNews, origin: unknown): void {
    for (const listener of this.#listeners.get(user) ?? []) listener(change, origin);
  }

  /** How many users have listeners (for tests: nothing may be left behind). */
  get size(): number {
    return this.#listeners.size;
  }
}

/** What a session gives {@linkcode Notify}: its identity, folders, and a way to answer. */
export interface NotifyHost {
  readonly user: string;
  readonly maildir: Maildir;
  readonly registry: MailboxRegistry;
  readonly mailboxEvents: MailboxEvents;
  /** Who the session is, to tell its own changes from others' (RFC 5465 5). */
  readonly origin: unknown;
  /** Extensions turned on (CONDSTORE and QRESYNC change what STATUS says). */
  readonly enabled: ReadonlySet<string>;
  /** The selected folder's shared state, or null. */
  selectedMailbox(): SharedMailbox | null;
  /** Queue an untagged response. */
  send(values: readonly ImapValue[]): void;
  /** How often a watched folder is rescanned besides its file-system events. */
  readonly rescanMs: number;
  /** Most folders one request may watch (LIMITS.notifyMailboxes). */
  readonly maxMailboxes: number;
}

/** What the client last heard about a watched folder (for the next STATUS). */
interface Snapshot {
  messages: number;
  uidNext: number;
  uidValidity: number;
  unseen: number;
  highestModseq: number;
}

/** A folder being watched for message events. */
interface Watch {
  box: SharedMailbox;
  events: ReadonlySet<NotifyEvent>;
  unlisten: () => void;
  told: Snapshot;
}

/** The STATUS items in the order we send them (Dovecot's order). */
const STATUS_ORDER = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ"] as const;
type StatusItem = typeof STATUS_ORDER[number];

/**
 * One session's NOTIFY state (RFC 5465 3.1): the request in force, the folders it
 * listens to, and the news not yet told. {@linkcode Notify.stop} releases every
 * listener; the session calls it on NOTIFY NONE, a new NOTIFY SET, and when it ends.
 */
export class Notify {
  readonly request: NotifyRequest;
  readonly #host: NotifyHost;
  readonly #watches = new Map<string, Watch>();
  /** Folders with changes not yet told. */
  readonly #dirty = new Set<string>();
  /** LIST responses not yet sent (name and subscription changes). */
  #lists: ListNews[] = [];
  /** The selected mailbox changed since the client was last told. */
  #selectedNews = false;
  #selectedBox: SharedMailbox | null = null;
  #unlistenSelected: () => void = () => {};
  #unlistenEvents: () => void = () => {};
  #wake: (() => void) | null = null;
  /** The watched set is being worked out again after a name or subscription change. */
  #reviewing: Promise<void> | null = null;
  #stopped = false;
  /** Set when the watched set outgrew the limit: the session says so and drops NOTIFY. */
  overflowed = false;

  private constructor(host: NotifyHost, request: NotifyRequest) {
    this.#host = host;
    this.request = request;
  }

  /**
   * Start a request: listen to every folder it names (RFC 5465 6), and queue the STATUS
   * responses the STATUS indicator asks for (RFC 5465 3.1).
   *
   * @throws {CommandError} NO [NOTIFICATIONOVERFLOW] when it names more folders than
   *   LIMITS.notifyMailboxes (RFC 5465 3.1: "prohibitively expensive").
   */
  static async start(host: NotifyHost, request: NotifyRequest): Promise<Notify> {
    const notify = new Notify(host, request);
    const wanted = await notify.#wanted();
    if (wanted.size > host.maxMailboxes) {
      throw new CommandError(
        "NO",
        `NOTIFY would watch ${wanted.size} mailboxes; at most ${host.maxMailboxes}`,
        "NOTIFICATIONOVERFLOW",
      );
    }
    try {
      await notify.#watch(wanted);
    } catch (error) {
      notify.stop();
      throw error;
    }
    notify.#unlistenEvents = host.mailboxEvents.listen(host.user, (change, origin) => {
      if (origin !== host.origin) notify.#mailboxChanged(change);
    });
    if (request.status) notify.#initialStatus();
    return notify;
  }

  /** Which groups ask for which events on which existing folders. */
  async #wanted(): Promise<Map<string, Set<NotifyEvent>>> {
    const out = new Map<string, Set<NotifyEvent>>();
    const groups = this.request.groups.filter((g) =>
      [...g.events].some((e) => MESSAGE_EVENTS.has(e))
    );
    if (!groups.length) return out;
    const folders = await this.#host.maildir.folders();
    const subscribed = groups.some((g) => g.filter.kind === "subscribed")
      ? await readSubscriptions(this.#host.maildir.root)
      : new Set<string>();
    for (const name of folders) {
      for (const group of groups) {
        // RFC 5465 3.1: a name that is not an existing mailbox is ignored.
        if (!filterMatches(group.filter, name, subscribed)) continue;
        let events = out.get(name);
        if (!events) out.set(name, events = new Set());
        for (const e of group.events) if (MESSAGE_EVENTS.has(e)) events.add(e);
      }
    }
    return out;
  }

  /** Listen to the folders in `wanted` and no others. */
  async #watch(wanted: Map<string, Set<NotifyEvent>>): Promise<void> {
    for (const [name, watch] of this.#watches) {
      if (wanted.has(name) && watch.box.folder === name) continue;
      this.#unwatch(name);
    }
    for (const [name, events] of wanted) {
      const known = this.#watches.get(name);
      if (known) {
        known.events = events;
        continue;
      }
      let box: SharedMailbox;
      try {
        box = await this.#host.registry.acquire(this.#host.user, this.#host.maildir, name);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue; // gone meanwhile
        throw error;
      }
      if (this.#stopped) {
        this.#host.registry.release(box);
        return;
      }
      const unlisten = box.listen(() => {
        this.#dirty.add(name);
        this.#poke();
      }, this.#host.rescanMs);
      this.#watches.set(name, { box, events, unlisten, told: snapshot(box) });
    }
  }

  #unwatch(name: string): void {
    const watch = this.#watches.get(name);
    if (!watch) return;
    this.#watches.delete(name);
    this.#dirty.delete(name);
    watch.unlisten();
    this.#host.registry.release(watch.box);
  }

  /** RFC 5465 3.1: the STATUS indicator's responses, for folders other than the selected. */
  #initialStatus(): void {
    const selected = this.#host.selectedMailbox();
    for (const [name, watch] of this.#watches) {
      if (watch.box === selected) continue;
      const items = new Set<StatusItem>();
      // "If MessageNew is enabled, the STATUS response MUST contain MESSAGES, UIDNEXT,
      // and UIDVALIDITY. If MessageExpunge is enabled, [...] MESSAGES. If [...] FlagChange
      // [...] and the server also supports CONDSTORE [...] UIDVALIDITY and HIGHESTMODSEQ."
      if (watch.events.has("MessageNew")) items.add("MESSAGES").add("UIDNEXT").add("UIDVALIDITY");
      if (watch.events.has("MessageExpunge")) items.add("MESSAGES");
      if (watch.events.has("FlagChange")) items.add("UIDVALIDITY").add("HIGHESTMODSEQ");
      this.#sendStatus(name, watch.box, items);
      watch.told = snapshot(watch.box);
    }
  }

  /**
   * Resolves when there is news to tell. Also follows the selected mailbox: the
   * session asks before each wait, so a SELECT or CLOSE since is seen here.
   */
  news(): Promise<void> {
    this.#followSelected();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      if (this.#pending()) resolve();
    });
  }

  /** Whether anything waits to be told. */
  #pending(): boolean {
    return this.overflowed || this.#dirty.size > 0 || this.#lists.length > 0 ||
      (this.#selectedNews && this.request.selected !== null);
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Listen to the selected mailbox when the request has events for it (RFC 5465 6.1). */
  #followSelected(): void {
    const box = this.request.selected?.events.size ? this.#host.selectedMailbox() : null;
    if (box === this.#selectedBox || this.#stopped) return;
    this.#unlistenSelected();
    this.#unlistenSelected = () => {};
    this.#selectedBox = box;
    this.#selectedNews = false;
    if (!box) return;
    this.#unlistenSelected = box.listen(() => {
      this.#selectedNews = true;
      this.#poke();
    }, this.#host.rescanMs);
  }

  /** The selected mailbox has news to push (the session pushes it, see session.ts). */
  takeSelectedNews(): boolean {
    const news = this.#selectedNews;
    this.#selectedNews = false;
    return news && this.request.selected !== null;
  }

  /**
   * Queue what other mailboxes have to tell: a STATUS per changed folder (RFC 5465
   * 5.1 to 5.3) and a LIST per name or subscription change (5.4, 5.5).
   */
  async deliverOthers(): Promise<void> {
    await this.#reviewing;
    const selected = this.#host.selectedMailbox();
    for (const name of [...this.#dirty]) {
      this.#dirty.delete(name);
      const watch = this.#watches.get(name);
      if (!watch) continue;
      if (watch.box === selected) {
        // Message events for the selected mailbox follow SELECTED only (RFC 5465 3.1).
        watch.told = snapshot(watch.box);
        continue;
      }
      this.#sendChanges(name, watch);
    }
    const lists = this.#lists;
    this.#lists = [];
    for (const entry of lists) this.#sendList(entry);
  }

  /**
   * The client changed these folders itself (APPEND, COPY, STORE...): RFC 5465 5 says
   * not to tell it, so what it was told is brought up to date silently.
   */
  ownChanges(boxes: readonly SharedMailbox[]): void {
    for (const box of boxes) {
      const watch = this.#watches.get(box.folder);
      if (watch?.box !== box) continue;
      watch.told = snapshot(box);
      this.#dirty.delete(box.folder);
    }
  }

  /** The STATUS for a watched folder's changes since the client was told. */
  #sendChanges(name: string, watch: Watch): void {
    const before = watch.told;
    const now = snapshot(watch.box);
    watch.told = now;
    const box = watch.box;
    const condstore = this.#host.enabled.has(CONDSTORE);
    const qresync = this.#host.enabled.has(QRESYNC);
    const items = new Set<StatusItem>();
    if (now.uidValidity !== before.uidValidity) {
      // RFC 5465 5.1: "the server MUST notify the client about mailbox UIDVALIDITY changes".
      this.#sendStatus(name, box, new Set(["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"]));
      return;
    }
    const added = box.messages.filter((m) => m.uid >= before.uidNext).length;
    const expunged = before.messages + added - now.messages > 0;
    // A flag change gives the message a MODSEQ above what the folder had (modseq.ts).
    const flagged = box.messages.some((m) =>
      m.uid < before.uidNext && m.modseq > before.highestModseq
    );
    if (added && watch.events.has("MessageNew")) {
      // RFC 5465 5.2: STATUS (UIDNEXT MESSAGES), with HIGHESTMODSEQ once CONDSTORE is on.
      items.add("MESSAGES").add("UIDNEXT");
      if (condstore) items.add("HIGHESTMODSEQ");
    }
    if (expunged && watch.events.has("MessageExpunge")) {
      // RFC 5465 5.3: STATUS (UIDNEXT MESSAGES), with HIGHESTMODSEQ once QRESYNC is on.
      items.add("MESSAGES").add("UIDNEXT");
      if (qresync) items.add("HIGHESTMODSEQ");
    }
    if (flagged && watch.events.has("FlagChange")) {
      // RFC 5465 5.1: with CONDSTORE on, at least HIGHESTMODSEQ and UIDVALIDITY; UNSEEN
      // MAY come too when the number of unseen messages changed. Without CONDSTORE and
      // without UNSEEN, the client is not told.
      if (condstore) items.add("UIDVALIDITY").add("HIGHESTMODSEQ");
      if (now.unseen !== before.unseen) items.add("UNSEEN");
    }
    if (items.size) this.#sendStatus(name, box, items);
  }

  #sendStatus(name: string, box: SharedMailbox, items: ReadonlySet<StatusItem>): void {
    const values: ImapValue[] = [];
    for (const item of STATUS_ORDER) {
      if (items.has(item)) values.push(atom(item), atom(statusValue(box, item)));
    }
    this.#host.send([atom("*"), atom("STATUS"), str(encodeMailboxName(name)), list(...values)]);
  }

  /** Another session changed a name or a subscription (RFC 5465 5.4, 5.5, 6.4). */
  #mailboxChanged(change: MailboxNews): void {
    const wanted = change.kind === "subscription" ? "SubscriptionChange" : "MailboxName";
    const names = change.kind === "renamed" ? [change.name, change.oldName] : [change.name];
    // A subscription change concerns a "subscribed" group whichever way it went (the name
    // was subscribed before, or is now), so the name counts as subscribed here.
    if (
      this.request.groups.some((g) =>
        g.events.has(wanted) && names.some((n) => filterMatches(g.filter, n, new Set([n])))
      )
    ) {
      this.#lists.push(...change.lists);
    }
    // Which folders the request covers may have changed: work it out again (RFC 5465
    // 6.4: "If the subscription list changes, the server MUST reevaluate the list").
    const review = (this.#reviewing ?? Promise.resolve()).then(() => this.#review());
    this.#reviewing = review.finally(() => {
      if (this.#reviewing === review) this.#reviewing = null;
    });
    this.#poke();
  }

  async #review(): Promise<void> {
    if (this.#stopped) return;
    const wanted = await this.#wanted().catch(() => null);
    if (!wanted || this.#stopped) return;
    if (wanted.size > this.#host.maxMailboxes) {
      // RFC 5465 5.8: "behave as if a NOTIFY NONE command had just been received".
      this.overflowed = true;
      this.#poke();
      return;
    }
    await this.#watch(wanted);
  }

  /** One LIST response for a name or subscription change (RFC 5465 5.4, 5.5). */
  #sendList(entry: ListNews): void {
    const line: ImapValue[] = [
      atom("*"),
      atom("LIST"),
      list(...entry.attrs.map((a) => atom(a))),
      str(DELIMITER),
      str(encodeMailboxName(entry.name)),
    ];
    if (entry.oldName !== undefined) {
      // RFC 5465 5.4: the new name "containing the OLDNAME extended data item".
      line.push(list(str("OLDNAME"), list(str(encodeMailboxName(entry.oldName)))));
    }
    this.#host.send(line);
  }

  /** Stop listening to everything (NOTIFY NONE, a new NOTIFY SET, the session's end). */
  stop(): void {
    this.#stopped = true;
    this.#unlistenEvents();
    this.#unlistenEvents = () => {};
    this.#unlistenSelected();
    this.#unlistenSelected = () => {};
    this.#selectedBox = null;
    for (const name of [...this.#watches.keys()]) this.#unwatch(name);
    this.#lists = [];
    this.#poke();
  }
}

function unseenOf(box: SharedMailbox): number {
  return box.messages.filter((m) => !m.letters.includes("S")).length;
}

function snapshot(box: SharedMailbox): Snapshot {
  return {
    messages: box.messages.length,
    uidNext: box.uidNext,
    uidValidity: box.uidValidity,
    unseen: unseenOf(box),
    highestModseq: box.highestModseq,
  };
}

function statusValue(box: SharedMailbox, item: StatusItem): number {
  switch (item) {
    case "MESSAGES":
      return box.messages.length;
    case "UIDNEXT":
      return box.uidNext;
    case "UIDVALIDITY":
      return box.uidValidity;
    case "UNSEEN":
      return unseenOf(box);
    case "HIGHESTMODSEQ":
      return box.highestModseq;
  }
}
