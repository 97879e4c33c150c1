/**
 * Logging in (RFC 3501 6.2): LOGIN, and AUTHENTICATE PLAIN (RFC 4616) with or without an
 * initial response (RFC 4959 SASL-IR). Both send the password in the clear on this
 * loopback-only server: base64 is an encoding, not secrecy.
 *
 * @module
 */

import { LIMITS, STATE } from "../constants.ts";
import type { Session } from "../session.ts";
import { textOf } from "../values.ts";
import {
  astring,
  type Command,
  CommandError,
  type CommandHandler,
  type CommandResult,
} from "./types.ts";

/**
 * Check a user name and password; on success enter the AUTHENTICATED state. A wrong one
 * is answered after the server's growing delay (lib/net/auth_throttle.ts); the last try
 * a session is allowed also gets a BYE, sent before the tagged NO as LOGOUT sends its
 * BYE before the tagged OK (RFC 9051 6.1.3), and the connection closes.
 */
async function login(session: Session, user: string, password: string): Promise<CommandResult> {
  const expected = session.config.users.get(user);
  if (expected === undefined || expected !== password) {
    session.authFailures++;
    const attempts = session.config.authAttempts;
    const disconnect = attempts
      ? (await attempts.failed()).disconnect
      : session.authFailures >= LIMITS.maxAuthFailures;
    if (disconnect) {
      session.sendText(`* BYE Too many failed logins (${session.authFailures}), closing`);
      session.logout();
    }
    // RFC 5530 AUTHENTICATIONFAILED; the same answer for unknown user and wrong password.
    throw new CommandError("NO", "Invalid user name or password", "AUTHENTICATIONFAILED");
  }
  session.config.authAttempts?.succeeded();
  session.config.loginDeadline?.loggedIn();
  session.maildir = await session.config.store.mailbox(user);
  session.user = user;
  session.state = STATE.Authenticated;
  return {
    status: "OK",
    code: `CAPABILITY ${session.capabilities().join(" ")}`,
    text: "Logged in",
  };
}

/** RFC 3501 6.2.3. */
export const LOGIN: CommandHandler = {
  states: [STATE.NotAuthenticated],
  run(session, command) {
    if (command.args.length !== 2) {
      throw new CommandError("BAD", "LOGIN expects a user name and a password");
    }
    return login(
      session,
      astring(command.args[0], "a user name"),
      astring(command.args[1], "a password"),
    );
  },
};

/** Decode a PLAIN response: authzid NUL authcid NUL password (RFC 4616 2). */
function decodePlain(base64: string): [string, string] {
  let bytes: Uint8Array;
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4) throw new Error();
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    throw new CommandError("BAD", "AUTHENTICATE PLAIN: the response is not valid base64");
  }
  const parts = new TextDecoder().decode(bytes).split("\0");
  if (parts.length !== 3) {
    throw new CommandError("BAD", "AUTHENTICATE PLAIN: expected authzid NUL user NUL password");
  }
  const [authzid, user, password] = parts;
  if (authzid && authzid !== user) {
    throw new CommandError("NO", "Cannot act as another user", "AUTHORIZATIONFAILED");
  }
  return [user, password];
}

/** The client's PLAIN response, initial or after "+": log in, or cancel on "*". */
async function answerPlain(session: Session, response: string): Promise<CommandResult> {
  if (response === "*") throw new CommandError("BAD", "AUTHENTICATE cancelled"); // RFC 3501 6.2.2
  if (response === "=") response = ""; // RFC 4959: empty initial response
  const [user, password] = decodePlain(response);
  return await login(session, user, password);
}

/** RFC 3501 6.2.2 with RFC 4959: `AUTHENTICATE PLAIN [initial-response]`. */
export const AUTHENTICATE: CommandHandler = {
  states: [STATE.NotAuthenticated],
  async run(session: Session, command: Command) {
    const mechanism = textOf(command.args[0])?.toUpperCase();
    if (command.args.length < 1 || command.args.length > 2) {
      throw new CommandError(
        "BAD",
        "AUTHENTICATE expects a mechanism and an optional initial response",
      );
    }
    if (mechanism !== "PLAIN") {
      throw new CommandError("NO", `Unsupported mechanism ${mechanism}`, "CANNOT");
    }
    if (command.args.length === 1) {
      // No initial response: ask for it with an empty continuation request.
      return {
        kind: "continuation",
        prompt: "",
        line: (response) => answerPlain(session, response),
        // The reader skipped the overlong line, so the next line is a new command:
        // the exchange is cancelled with BAD (RFC 3501 6.2.2) and the session goes on.
        overlong: (reason) => `AUTHENTICATE cancelled: ${reason}`,
      };
    }
    return await answerPlain(session, astring(command.args[1], "an initial response"));
  },
};
