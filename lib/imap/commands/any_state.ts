/**
 * Commands valid in any state (RFC 3501 6.1): CAPABILITY, NOOP, LOGOUT; and ID (RFC 2971)
 * and ENABLE (RFC 5161), which clients send early.
 *
 * @module
 */

import { STATE } from "../constants.ts";
import { atom, list, str } from "../values.ts";
import type { CommandHandler } from "./types.ts";

const ANY = [STATE.NotAuthenticated, STATE.Authenticated, STATE.Selected] as const;

/** RFC 3501 6.1.1. */
export const CAPABILITY: CommandHandler = {
  states: ANY,
  run(session) {
    session.sendText(`* CAPABILITY ${session.capabilities().join(" ")}`);
    return Promise.resolve();
  },
};

/**
 * RFC 3501 6.1.2: does nothing, which gives the server the chance to report changes
 * (the dispatcher sends them after every command).
 */
export const NOOP: CommandHandler = {
  states: ANY,
  run: () => Promise.resolve(),
};

/** RFC 3501 6.1.3: BYE first, then the tagged OK, then the server closes. */
export const LOGOUT: CommandHandler = {
  states: ANY,
  run(session) {
    session.sendText("* BYE Logging out");
    session.logout();
    return Promise.resolve();
  },
};

/** RFC 2971: clients identify themselves; we answer with our name. */
export const ID: CommandHandler = {
  states: ANY,
  run(session) {
    session.send([
      atom("*"),
      atom("ID"),
      list(str("name"), str("course-imap"), str("version"), str("1")),
    ]);
    return Promise.resolve();
  },
};

/** RFC 5161: we support no extension that needs enabling, so ENABLE enables nothing. */
export const ENABLE: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  run(session) {
    session.sendText("* ENABLED");
    return Promise.resolve();
  },
};
