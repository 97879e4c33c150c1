/**
 * IDLE (RFC 2177): the client stops polling and the server pushes EXISTS, EXPUNGE and
 * FETCH updates as they happen, until the client sends DONE. IMAP can push, too.
 *
 * Changes made through this server wake the session at once (the shared mailbox calls
 * its listeners); changes made by other programs (an SMTP server in another process,
 * mbsync, Dovecot) reach it through the mailbox's file-system watcher, shared by every
 * session idling on that folder, with a slow rescan every `pollIntervalMs` as a safety
 * net (see mailbox.ts). An idle session waits without timers of its own.
 *
 * The handler only answers "+ idling" and says what to do next: the transport waits for
 * the client's line or for {@linkcode Continuation.changed}, whichever comes first, and
 * the session calls `wake` (push the news) or `line` (DONE ends the command).
 *
 * With NOTIFY on, IDLE sends "exactly the same events as instructed by the client using
 * the NOTIFY command" (RFC 5465 4): its news comes from the NOTIFY state instead.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { pushNews } from "./notify.ts";
import {
  CommandError,
  type CommandHandler,
  type CommandResult,
  type Continuation,
} from "./types.ts";

/** RFC 2177 3. */
export const IDLE: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  run(session, command) {
    if (command.args.length) throw new CommandError("BAD", "IDLE takes no arguments");
    const notify = session.notify;
    if (notify) {
      return Promise.resolve({
        kind: "continuation",
        prompt: "idling",
        changed: () => notify.news(),
        wake: () => pushNews(session, true),
        line: done,
        overlong: (reason) => `${reason}; expected DONE to end IDLE`,
      });
    }
    let wake: () => void = () => {};
    // The listener starts before the client is told to wait; the first wake-up looks at
    // the disk once, for whatever changed before it started.
    let pending = true;
    let first = true;
    const shared = session.selected?.shared;
    const unlisten = shared?.listen(() => {
      pending = true;
      wake();
    }, session.config.pollIntervalMs) ?? (() => {});
    const idling: Continuation = {
      kind: "continuation",
      prompt: "idling",
      changed() {
        const news = new Promise<void>((resolve) => {
          wake = resolve;
          if (pending) resolve();
        });
        pending = false;
        return news;
      },
      async wake() {
        // Listeners are called after the shared mailbox refreshed: no need to look again.
        await session.sendUpdates({ expunge: true, refresh: first });
        first = false;
      },
      line: done,
      overlong: (reason) => `${reason}; expected DONE to end IDLE`,
      async finish() {
        unlisten();
        await shared?.settled();
      },
    };
    return Promise.resolve(idling);
  },
};

/** The client's line in IDLE: DONE ends it (RFC 2177 3). */
function done(text: string): Promise<CommandResult> {
  if (text.trim().toUpperCase() !== "DONE") {
    throw new CommandError(
      "BAD",
      `Expected DONE to end IDLE, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return Promise.resolve({ status: "OK", text: "IDLE terminated" });
}
