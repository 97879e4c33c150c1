/**
 * The POP3 session as a pure state machine (RFC 1939, RFC 2449).
 *
 * `step(state, line)` takes the session's state and one command line, and returns the
 * next state, the replies to send, and at most one {@linkcode Effect}: something only
 * the transport can do (check a password and lock the maildrop; remove messages). The
 * transport does it and feeds the outcome back through {@linkcode afterLogin} or
 * {@linkcode afterUpdate}. Nothing here touches a socket, a clock or a disk, so every
 * rule of the RFC can be tested by feeding lines.
 *
 * Which command is legal in which state is data: {@linkcode COMMANDS}.
 *
 * @module
 */

import { CommandSyntaxError, parseCommand } from "./command.ts";
import { RESPONSE_CODE, STATE, type State } from "./constants.ts";
import type { StatusLine } from "./status.ts";
import type { StoredMessage } from "./backend.ts";

/** A session's state. Treat it as immutable: `step` returns a new one. */
export interface SessionState {
  readonly state: State;
  /** The APOP timestamp from the greeting, e.g. `<1234.5678@localhost>` (RFC 1939 7). */
  readonly timestamp: string;
  /** The name given by USER, waiting for PASS. */
  readonly user?: string;
  /** The authenticated user whose maildrop is locked. */
  readonly mailbox?: string;
  /** The maildrop as it was when the session entered TRANSACTION; message n is index n-1. */
  readonly messages: readonly StoredMessage[];
  /** Message numbers marked by DELE (RFC 1939 5: removed only in UPDATE). */
  readonly deleted: ReadonlySet<number>;
  /** Failed authentication attempts so far. */
  readonly authFailures: number;
}

/** One reply: a status line, and for multi-line replies either text lines or a message. */
export interface Reply extends StatusLine {
  /** Lines of a multi-line reply (LIST, UIDL, CAPA), not yet byte-stuffed. */
  lines?: string[];
  /** RETR or TOP: the transport reads this message and sends it byte-stuffed. */
  message?: { number: number; id: string; size: number; bodyLines?: number };
}

/** Work for the transport, whose outcome comes back through `afterLogin` / `afterUpdate`. */
export type Effect =
  | { kind: "login"; user: string; password: string }
  | { kind: "apop"; user: string; digest: string; timestamp: string }
  | { kind: "update"; user: string; remove: string[] };

/** What `step` returns. */
export interface StepResult {
  state: SessionState;
  replies: Reply[];
  effect?: Effect;
  /** Close the connection after sending the replies. */
  close?: boolean;
}

/** Options of the state machine. */
export interface SessionOptions {
  /** After this many failed logins the server says goodbye. Default 3. */
  maxAuthFailures?: number;
  /** Lines answered to CAPA (RFC 2449 5). Default {@linkcode CAPABILITIES}. */
  capabilities?: readonly string[];
}

/** What CAPA lists (RFC 2449 6). */
export const CAPABILITIES: readonly string[] = [
  "TOP",
  "USER",
  "UIDL",
  "RESP-CODES",
  "AUTH-RESP-CODE",
  "PIPELINING",
  "IMPLEMENTATION email-course",
];

type Handler = (s: SessionState, args: string[], options: SessionOptions) => StepResult;

/** A command: where it is legal, how many arguments it takes, and what it does. */
export interface CommandSpec {
  states: readonly State[];
  minArgs: number;
  maxArgs: number;
  /** Usage shown in the error for bad arguments. */
  usage: string;
  handler: Handler;
}

const A = STATE.Authorization;
const T = STATE.Transaction;

const ok = (text: string, more: Partial<Reply> = {}): Reply => ({ ok: true, text, ...more });
const err = (text: string, code?: string): Reply => ({
  ok: false,
  text,
  ...(code ? { code } : {}),
});
const same = (state: SessionState, reply: Reply): StepResult => ({ state, replies: [reply] });

/**
 * The command/state table (RFC 1939 4 to 7, RFC 2449 5). `step` checks the state and the
 * argument count here before calling the handler, so handlers only do their own work.
 */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  USER: { states: [A], minArgs: 1, maxArgs: 1, usage: "USER name", handler: user },
  PASS: { states: [A], minArgs: 1, maxArgs: 1, usage: "PASS password", handler: pass },
  APOP: { states: [A], minArgs: 2, maxArgs: 2, usage: "APOP name digest", handler: apop },
  CAPA: { states: [A, T], minArgs: 0, maxArgs: 0, usage: "CAPA", handler: capa },
  QUIT: { states: [A, T], minArgs: 0, maxArgs: 0, usage: "QUIT", handler: quit },
  STAT: { states: [T], minArgs: 0, maxArgs: 0, usage: "STAT", handler: stat },
  LIST: { states: [T], minArgs: 0, maxArgs: 1, usage: "LIST [msg]", handler: list },
  UIDL: { states: [T], minArgs: 0, maxArgs: 1, usage: "UIDL [msg]", handler: uidl },
  RETR: { states: [T], minArgs: 1, maxArgs: 1, usage: "RETR msg", handler: retr },
  TOP: { states: [T], minArgs: 2, maxArgs: 2, usage: "TOP msg n", handler: top },
  DELE: { states: [T], minArgs: 1, maxArgs: 1, usage: "DELE msg", handler: dele },
  NOOP: { states: [T], minArgs: 0, maxArgs: 0, usage: "NOOP", handler: noop },
  RSET: { states: [T], minArgs: 0, maxArgs: 0, usage: "RSET", handler: rset },
};

/**
 * A new session in AUTHORIZATION.
 *
 * @example
 * ```ts
 * import { initialState } from "./session.ts";
 * const s = initialState("<1.2@localhost>");
 * if (s.state !== "AUTHORIZATION") throw new Error("unexpected");
 * ```
 */
export function initialState(timestamp: string): SessionState {
  return { state: A, timestamp, messages: [], deleted: new Set(), authFailures: 0 };
}

/**
 * Answer one command line (without CRLF).
 *
 * Errors never end the session, except too many failed logins: RFC 1939 3 has the
 * server answer "-ERR" and carry on in the same state.
 *
 * @example A login that asks the transport to check the password
 * ```ts
 * import { initialState, step } from "./session.ts";
 * let r = step(initialState("<1.2@localhost>"), "USER alice");
 * r = step(r.state, "PASS secret");
 * if (r.effect?.kind !== "login") throw new Error("unexpected");
 * ```
 */
export function step(state: SessionState, line: string, options: SessionOptions = {}): StepResult {
  let command;
  try {
    command = parseCommand(line);
  } catch (error) {
    if (error instanceof CommandSyntaxError) return same(state, err(error.message));
    throw error;
  }
  const spec = COMMANDS[command.verb];
  if (!spec) return same(state, err(`Unknown command ${command.verb}`));
  if (!spec.states.includes(state.state)) {
    return same(state, err(`${command.verb} is not allowed in the ${state.state} state`));
  }
  const n = command.args.length;
  if (n < spec.minArgs || n > spec.maxArgs) {
    return same(state, err(`Wrong number of arguments: usage is ${spec.usage}`));
  }
  return spec.handler(state, command.args, options);
}

/** The transport's answer to a `login` or `apop` effect. */
export type LoginOutcome =
  | { ok: true; messages: readonly StoredMessage[] }
  | { ok: false; reason: "credentials" | "locked" | "unavailable" };

/**
 * Finish a login: enter TRANSACTION with the maildrop listed, or stay in AUTHORIZATION
 * (RFC 1939 4: "the server ... may either issue a new authentication command or QUIT").
 *
 * @example
 * ```ts
 * import { afterLogin, initialState, step } from "./session.ts";
 * const asked = step(step(initialState("<1@x>"), "USER a").state, "PASS b");
 * const r = afterLogin(asked.state, asked.effect!, { ok: true, messages: [{ id: "m1", size: 10 }] });
 * if (r.state.state !== "TRANSACTION") throw new Error("unexpected");
 * ```
 */
export function afterLogin(
  state: SessionState,
  effect: Effect,
  outcome: LoginOutcome,
  options: SessionOptions = {},
): StepResult {
  if (effect.kind === "update") throw new TypeError("Cannot finish a login with an update effect");
  if (outcome.ok) {
    const size = outcome.messages.reduce((sum, m) => sum + m.size, 0);
    return {
      state: {
        ...state,
        state: T,
        user: undefined,
        mailbox: effect.user,
        messages: outcome.messages,
        deleted: new Set(),
      },
      replies: [
        ok(`${effect.user}'s maildrop has ${outcome.messages.length} messages (${size} octets)`),
      ],
    };
  }
  const back = { ...state, user: undefined };
  if (outcome.reason === "locked") {
    // RFC 2449 8.1.1: the maildrop is locked by another session.
    return same(back, err("Maildrop already locked by another session", RESPONSE_CODE.InUse));
  }
  if (outcome.reason === "unavailable") {
    return same(back, err("Cannot open the maildrop, try again later", RESPONSE_CODE.SysTemp));
  }
  const failures = state.authFailures + 1;
  const max = options.maxAuthFailures ?? 3;
  const failed = { ...back, authFailures: failures };
  if (failures >= max) {
    return {
      state: failed,
      replies: [err(`Authentication failed ${failures} times, closing`, RESPONSE_CODE.Auth)],
      close: true,
    };
  }
  // RFC 3206 5: [AUTH] says the credentials were wrong. The same text for an unknown user
  // and a wrong password, so the reply does not tell which names exist.
  return same(failed, err("Invalid user name or password", RESPONSE_CODE.Auth));
}

/**
 * Finish QUIT in TRANSACTION once the transport has removed the marked messages (RFC
 * 1939 6). The session is over either way.
 */
export function afterUpdate(state: SessionState, failed: number): StepResult {
  const done = { ...state, state: STATE.Update };
  if (failed > 0) {
    // RFC 1939 6: "-ERR some deleted messages not removed"
    return {
      state: done,
      replies: [err(`Some deleted messages not removed (${failed})`)],
      close: true,
    };
  }
  const left = state.messages.length - state.deleted.size;
  return {
    state: done,
    replies: [ok(`Goodbye, ${left} messages left in the maildrop`)],
    close: true,
  };
}

/**
 * Forget every mark: RSET (RFC 1939 5), the one place DELE marks are undone.
 */
export function resetTransaction(state: SessionState): SessionState {
  return { ...state, deleted: new Set() };
}

// AUTHORIZATION ------------------------------------------------------------------------

function user(s: SessionState, [name]: string[]): StepResult {
  // Any name is accepted here; the check happens at PASS, so USER does not reveal
  // which names exist (RFC 1939 13, security considerations).
  return same({ ...s, user: name }, ok(`Hello ${name}, send PASS`));
}

function pass(s: SessionState, [password]: string[]): StepResult {
  if (s.user === undefined) return same(s, err("Send USER first"));
  return { state: s, replies: [], effect: { kind: "login", user: s.user, password } };
}

function apop(s: SessionState, [name, digest]: string[]): StepResult {
  if (!/^[0-9a-fA-F]{32}$/.test(digest)) {
    return same(s, err("APOP digest must be 32 hexadecimal digits (MD5, RFC 1939 7)"));
  }
  return {
    state: { ...s, user: undefined },
    replies: [],
    effect: { kind: "apop", user: name, digest: digest.toLowerCase(), timestamp: s.timestamp },
  };
}

function capa(s: SessionState, _args: string[], options: SessionOptions): StepResult {
  return same(
    s,
    ok("Capability list follows", { lines: [...(options.capabilities ?? CAPABILITIES)] }),
  );
}

function quit(s: SessionState): StepResult {
  if (s.state === A || s.mailbox === undefined) {
    // RFC 1939 4: QUIT in AUTHORIZATION ends the session without UPDATE.
    return { state: s, replies: [ok("Goodbye")], close: true };
  }
  const remove = [...s.deleted].sort((a, b) => a - b).map((n) => s.messages[n - 1].id);
  return {
    state: { ...s, state: STATE.Update },
    replies: [],
    effect: { kind: "update", user: s.mailbox, remove },
  };
}

// TRANSACTION --------------------------------------------------------------------------

/** Resolve a message-number argument, or say exactly what is wrong with it. */
function message(s: SessionState, arg: string): number | Reply {
  if (!/^[0-9]+$/.test(arg)) {
    return err(
      `Message number must be a positive integer, got ${JSON.stringify(arg.slice(0, 20))}`,
    );
  }
  const n = Number(arg);
  if (n < 1 || n > s.messages.length) {
    return err(`No such message ${arg}: the maildrop has ${s.messages.length} messages`);
  }
  if (s.deleted.has(n)) return err(`Message ${n} is already deleted`);
  return n;
}

function live(s: SessionState): number[] {
  const out = [];
  for (let n = 1; n <= s.messages.length; n++) if (!s.deleted.has(n)) out.push(n);
  return out;
}

function stat(s: SessionState): StepResult {
  // RFC 1939 5: deleted messages are not counted.
  const numbers = live(s);
  const size = numbers.reduce((sum, n) => sum + s.messages[n - 1].size, 0);
  return same(s, ok(`${numbers.length} ${size}`));
}

function list(s: SessionState, args: string[]): StepResult {
  if (args.length === 1) {
    const n = message(s, args[0]);
    if (typeof n !== "number") return same(s, n);
    return same(s, ok(`${n} ${s.messages[n - 1].size}`));
  }
  const numbers = live(s);
  const size = numbers.reduce((sum, n) => sum + s.messages[n - 1].size, 0);
  return same(
    s,
    ok(`${numbers.length} messages (${size} octets)`, {
      lines: numbers.map((n) => `${n} ${s.messages[n - 1].size}`),
    }),
  );
}

function uidl(s: SessionState, args: string[]): StepResult {
  if (args.length === 1) {
    const n = message(s, args[0]);
    if (typeof n !== "number") return same(s, n);
    return same(s, ok(`${n} ${s.messages[n - 1].id}`));
  }
  return same(
    s,
    ok("Unique-id listing follows", { lines: live(s).map((n) => `${n} ${s.messages[n - 1].id}`) }),
  );
}

function retr(s: SessionState, [arg]: string[]): StepResult {
  const n = message(s, arg);
  if (typeof n !== "number") return same(s, n);
  const { id, size } = s.messages[n - 1];
  return same(s, ok(`${size} octets`, { message: { number: n, id, size } }));
}

function top(s: SessionState, [arg, count]: string[]): StepResult {
  const n = message(s, arg);
  if (typeof n !== "number") return same(s, n);
  if (!/^[0-9]+$/.test(count)) {
    return same(
      s,
      err(`Line count must be a non-negative integer, got ${JSON.stringify(count.slice(0, 20))}`),
    );
  }
  return same(
    s,
    ok("Top of message follows", {
      message: { ...s.messages[n - 1], number: n, bodyLines: Number(count) },
    }),
  );
}

function dele(s: SessionState, [arg]: string[]): StepResult {
  const n = message(s, arg);
  if (typeof n !== "number") return same(s, n);
  const deleted = new Set(s.deleted).add(n);
  return same({ ...s, deleted }, ok(`Message ${n} marked for deletion`));
}

function noop(s: SessionState): StepResult {
  return same(s, ok(""));
}

function rset(s: SessionState): StepResult {
  const next = resetTransaction(s);
  return same(next, ok(`Maildrop has ${next.messages.length} messages, none marked`));
}
