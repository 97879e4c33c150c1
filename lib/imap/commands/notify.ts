/**
 * The NOTIFY command (RFC 5465 3.1) and the news it makes the session push: the request
 * and the watching are in notify.ts; here is what the session says, and when.
 *
 * When news may be sent (RFC 5465 1, 3.1): "the client listens for event notifications
 * all the time (even when no command is in progress)". So news goes out between
 * commands (the transport waits for the next command or news, whichever comes first),
 * during IDLE, and at the end of each command, before its tagged reply. While a command
 * runs, news waits: the session works one step at a time.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import type { SharedMailbox } from "../mailbox.ts";
import { Notify, parseNotify } from "../notify.ts";
import type { Session } from "../session.ts";
import { fetchMessages, parseFetchItems } from "./fetch.ts";
import type { Command, CommandHandler } from "./types.ts";

/** RFC 5465 3.1: `NOTIFY SET [STATUS] event-groups` or `NOTIFY NONE`. */
export const NOTIFY: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  async run(session, command) {
    const request = parseNotify(command.args);
    // MessageNew's fetch attributes are FETCH's (RFC 5465 5.2): BAD if FETCH would say so.
    if (request?.selected?.fetch) parseFetchItems(request.selected.fetch);
    const previous = session.notify;
    // The new request starts before the old one stops, so folders both watch stay held.
    const next = request ? await Notify.start(session.notifyHost(), request) : null;
    previous?.stop();
    session.notify = next;
  },
};

/**
 * Push what NOTIFY has to tell (the session's "news" input, and IDLE's wake-ups when
 * NOTIFY is on): the selected mailbox's EXISTS, EXPUNGE and FETCH as the request asks
 * (RFC 5465 5.1 to 5.3, 6.1), then STATUS and LIST for other mailboxes. In IDLE,
 * expunges go out even with SELECTED-DELAYED (RFC 5465 6.1.2: IDLE is a command that
 * allows them).
 */
export async function pushNews(session: Session, inIdle: boolean): Promise<void> {
  const notify = session.notify;
  if (!notify) return;
  if (notify.overflowed) {
    // RFC 5465 5.8: say so, and "behave as if a NOTIFY NONE command had just been received".
    session.sendText("* OK [NOTIFICATIONOVERFLOW] Too many mailboxes to watch; NOTIFY is off");
    notify.stop();
    session.notify = null;
    return;
  }
  const wanted = notify.request.selected;
  if (notify.takeSelectedNews() && wanted && session.selected && session.state === STATE.Selected) {
    const lastUid = session.selected.uids.at(-1) ?? 0;
    await session.sendUpdates({
      expunge: inIdle || !wanted.delayed,
      // RFC 5465 5.1: the FETCH "MUST include UID and FLAGS".
      uid: true,
      flags: wanted.events.has("FlagChange"),
    });
    await fetchNew(session, lastUid);
  }
  await notify.deliverOthers();
}

/**
 * At the end of a command, before its tagged reply: MessageNew's FETCH for messages the
 * command's updates announced, unless this client added them itself (RFC 5465 5.2: "A
 * FETCH response SHOULD NOT be generated for a new message created by the client on
 * this particular connection"), then other mailboxes' news, leaving out the changes the
 * command made (RFC 5465 5: the server SHOULD omit events caused by this client).
 */
export async function commandEndNews(
  session: Session,
  command: Command,
  lastUid: number,
  touched: readonly SharedMailbox[],
): Promise<void> {
  const notify = session.notify!;
  if (!["APPEND", "COPY", "MOVE"].includes(command.name)) await fetchNew(session, lastUid);
  notify.ownChanges(touched);
  await notify.deliverOthers();
}

/** RFC 5465 5.2: after EXISTS, a FETCH of the requested attributes for each new message. */
async function fetchNew(session: Session, lastUid: number): Promise<void> {
  const fetch = session.notify?.request.selected?.fetch;
  const selected = session.selected;
  if (!fetch || !selected || !session.notify?.request.selected?.events.has("MessageNew")) return;
  const fresh = selected.uids.filter((uid) => uid > lastUid);
  if (fresh.length) await fetchMessages(session, fresh, parseFetchItems(fetch), true);
}
