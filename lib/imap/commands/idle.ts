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
 * @module
 */

import { LineTooLongError } from "../../net/mod.ts";
import { STATE } from "../constants.ts";
import { CommandError, type CommandHandler } from "./types.ts";

/** RFC 2177 3. */
export const IDLE: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  async run(session, command) {
    if (command.args.length) throw new CommandError("BAD", "IDLE takes no arguments");
    let wake: () => void = () => {};
    // The watcher starts before the client is told to wait; the first pass looks at the
    // disk once, for whatever changed before it started.
    let pending = true;
    let first = true;
    const shared = session.selected?.shared;
    const unlisten = shared?.listen(() => {
      pending = true;
      wake();
    }, session.config.pollIntervalMs) ?? (() => {});
    session.sendText("+ idling");
    await session.flush();
    const line = session.reader.readLine();
    line.catch(() => {}); // observed below; keep an early rejection from going unhandled
    try {
      while (true) {
        const tick = new Promise<"tick">((resolve) => {
          wake = () => resolve("tick");
          if (pending) resolve("tick");
        });
        pending = false;
        const closing = session.config.closing.then(() => "closing" as const);
        const event = await Promise.race([line, tick, closing]).catch((error) => {
          // An overlong line was skipped by the reader: the session goes on, IDLE ends.
          if (error instanceof LineTooLongError) {
            throw new CommandError("BAD", `${error.message}; expected DONE to end IDLE`);
          }
          throw error;
        });
        if (event === "closing") {
          session.sendText("* BYE Server shutting down");
          session.logout();
          return;
        }
        if (event === "tick") {
          // Listeners are called after the shared mailbox refreshed: no need to look again.
          await session.sendUpdates({ expunge: true, refresh: first });
          first = false;
          await session.flush();
          continue;
        }
        if (event === null) {
          session.logout(); // the client vanished
          return;
        }
        if (event.trim().toUpperCase() !== "DONE") {
          throw new CommandError(
            "BAD",
            `Expected DONE to end IDLE, got ${JSON.stringify(event.slice(0, 40))}`,
          );
        }
        return { status: "OK", text: "IDLE terminated" };
      }
    } finally {
      unlisten();
      await shared?.settled();
    }
  },
};
