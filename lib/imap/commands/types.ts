/**
 * What every command handler is: the states it is valid in and a function that runs it
 * (the shape of go-imap's and imapflow's one-file-per-command layout).
 *
 * @module
 */

import type { State } from "../constants.ts";
import type { Session } from "../session.ts";
import { decodeMailboxName, Utf7Error } from "../utf7.ts";
import { type ImapValue, textOf } from "../values.ts";

/** The tagged reply a handler ends with (RFC 3501 7.1). */
export interface CommandResult {
  status: "OK" | "NO" | "BAD";
  /** A response code without brackets, e.g. "READ-WRITE" or "APPENDUID 7 3". */
  code?: string;
  text: string;
}

/** A command as the dispatcher hands it over. */
export interface Command {
  tag: string;
  /** Upper-case name; for UID commands the inner name ("FETCH"), with `uid` set. */
  name: string;
  uid: boolean;
  args: ImapValue[];
}

/**
 * A command that goes on after a continuation request (RFC 3501 7.5): AUTHENTICATE waits
 * for the client's response line, IDLE for DONE (RFC 2177) while it pushes updates. A
 * handler returns one instead of a result; the session sends `+ prompt`, and the
 * transport hands it the client's next line (or, for IDLE, tells it that the mailbox
 * changed). The handler never reads from the connection itself.
 */
export interface Continuation {
  readonly kind: "continuation";
  /** Text after the "+ " of the continuation request. */
  prompt: string;
  /** The client's line: finish the command (nothing for "OK <name> completed"), or throw. */
  line(text: string): Promise<CommandResult | void>;
  /**
   * The tagged BAD text when the client's line was too long to read (it was skipped);
   * default "<name> cancelled: <reason>".
   */
  overlong?(reason: string): string;
  /**
   * IDLE: resolves when there is news to push. Asked each time the session waits; the
   * transport races it against the client's line.
   */
  changed?(): Promise<void>;
  /** IDLE: queue the news (untagged updates). */
  wake?(): Promise<void>;
  /** Release what the wait holds (a mailbox listener); called however the wait ends. */
  finish?(): Promise<void>;
}

/** One command's implementation. */
export interface CommandHandler {
  /** The states it is valid in (RFC 3501 6.1 to 6.4). */
  states: readonly State[];
  /** Whether it may be prefixed by UID (RFC 3501 6.4.8, RFC 4315, RFC 6851). */
  uid?: boolean;
  /**
   * Run it; return nothing for "OK <name> completed", or a {@linkcode Continuation} to
   * wait for the client. Throw {@linkcode CommandError} for NO/BAD.
   */
  run(session: Session, command: Command): Promise<CommandResult | Continuation | void>;
}

/** A NO or BAD reply, thrown by a handler. */
export class CommandError extends Error {
  readonly status: "NO" | "BAD";
  readonly code?: string;
  constructor(status: "NO" | "BAD", message: string, code?: string) {
    super(message);
    this.name = "CommandError";
    this.status = status;
    this.code = code;
  }
}

/** Throw BAD unless there are exactly `count` arguments. */
export function expectArgs(command: Command, count: number, usage: string): void {
  if (command.args.length !== count) {
    throw new CommandError("BAD", `${command.name} expects ${usage}`);
  }
}

/** An astring argument (atom, quoted or literal); NIL counts as the word NIL. */
export function astring(value: ImapValue | undefined, what: string): string {
  if (value?.type === "nil") return "NIL";
  const text = textOf(value);
  if (text === null) throw new CommandError("BAD", `Expected ${what}`);
  return text;
}

/**
 * A mailbox argument: modified UTF-7 decoded, "INBOX" in any case made canonical (RFC 3501 5.1).
 * A name that is not valid modified UTF-7 (RFC 3501 5.1.3) is a well-formed astring that
 * names no mailbox we could have: NO [CANNOT], not BAD.
 */
export function mailboxArg(value: ImapValue | undefined): string {
  const wire = astring(value, "a mailbox name");
  let name: string;
  try {
    name = decodeMailboxName(wire);
  } catch (error) {
    if (error instanceof Utf7Error) throw new CommandError("NO", error.message, "CANNOT");
    throw error;
  }
  return name.toUpperCase() === "INBOX" ? "INBOX" : name;
}
