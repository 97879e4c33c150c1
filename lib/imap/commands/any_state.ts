/**
 * Commands valid in any state (RFC 3501 6.1): CAPABILITY, NOOP, LOGOUT; and ID (RFC 2971)
 * and ENABLE (RFC 5161), which clients send early.
 *
 * @module
 */

import { CONDSTORE, condstoreOn, highestModseqLine, QRESYNC } from "../condstore.ts";
import { STATE } from "../constants.ts";
import { atom, list, str, textOf } from "../values.ts";
import { CommandError, type CommandHandler } from "./types.ts";

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

/**
 * RFC 5161: turn on extensions that change what the server sends. We know CONDSTORE and
 * QRESYNC (RFC 7162 3.1, 3.2.3; QRESYNC implies CONDSTORE); other names are ignored, as
 * RFC 5161 3.1 asks. ENABLED lists what this command turned on.
 */
export const ENABLE: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  run(session, command) {
    if (!command.args.length) throw new CommandError("BAD", "ENABLE expects capability names");
    const names = new Set<string>();
    for (const arg of command.args) {
      const name = textOf(arg)?.toUpperCase() ?? "";
      if (name === CONDSTORE || name === QRESYNC) names.add(name);
    }
    const hadCondstore = condstoreOn(session);
    for (const name of names) session.enabled.add(name);
    if (names.has(QRESYNC)) session.enabled.add(CONDSTORE);
    session.sendText(`* ENABLED${[...names].map((n) => " " + n).join("")}`);
    // RFC 7162 3.1: turned on with a mailbox selected, the client needs its HIGHESTMODSEQ.
    if (!hadCondstore && condstoreOn(session) && session.selected) {
      session.sendText(highestModseqLine(session.selected.shared));
    }
    return Promise.resolve();
  },
};
