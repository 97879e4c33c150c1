/**
 * The SMTP server's session as a pure state machine: `step(config, state, line)` returns
 * the next state and the replies to send. No sockets, no clocks, no storage: the
 * transport (server.ts) feeds lines in and carries out the {@linkcode Effect} a step asks
 * for (ask the backend about a sender or recipient, check a password, read a DATA block,
 * close), then reports back through {@linkcode complete}.
 *
 * Which command is legal in which phase is the table {@linkcode COMMANDS}, with the 503
 * reply for each wrong phase (RFC 5321 4.1.4 and 4.3.2). The envelope of a transaction
 * (sender and recipients) is cleared in one place, {@linkcode resetTransaction}: after
 * DATA, on RSET, on EHLO/HELO (RFC 5321 4.1.1.5 and 4.1.4).
 *
 * @module
 */

import { MAX_COMMAND_LINE, type Params, parseCommand, parsePathArgument } from "./command.ts";
import { SmtpError } from "./error.ts";
import type { Reply } from "./reply.ts";

/** The phases of a session (RFC 5321 3.3 and 4.1.4; RFC 4954 4 for AUTH). */
export const PHASE = {
  /** Greeted; waiting for EHLO or HELO. */
  Connected: "connected",
  /** Said hello; no transaction open. */
  Ready: "ready",
  /** MAIL FROM accepted; waiting for RCPT TO. */
  Mail: "mail",
  /** At least one RCPT TO accepted; DATA may follow. */
  Rcpt: "rcpt",
  /** In an AUTH exchange: the next line is a base64 response, not a command. */
  Auth: "auth",
  /** DATA accepted with 354; the transport reads the message block. */
  Data: "data",
  /** QUIT answered; the transport closes. */
  Closed: "closed",
} as const;
export type Phase = typeof PHASE[keyof typeof PHASE];

/** Settings of one server, fixed for all its sessions. */
export interface SessionConfig {
  /** The name the server greets with and writes in Received: lines. */
  hostname: string;
  /** Largest message, in bytes (advertised as SIZE, RFC 1870). */
  maxMessageSize: number;
  /** Most recipients per message (RFC 5321 4.5.3.1.8 says at least 100 must be allowed). */
  maxRecipients: number;
  /** SASL mechanisms offered (RFC 4954); empty means no AUTH. */
  authMechanisms: readonly ("PLAIN" | "LOGIN")[];
}

/** Sender and recipients of the transaction in progress (RFC 5321 3.3). */
export interface Envelope {
  /** Reverse-path; `""` for the null sender `<>`. */
  from: string;
  /** Forward-paths accepted so far, in order. */
  to: string[];
  /** BODY=8BITMIME (RFC 6152) or the default 7BIT. */
  body: "7BIT" | "8BITMIME";
  /** The SIZE the client declared, if any. */
  declaredSize?: number;
}

/** Everything a session remembers. Treat as immutable: steps return new objects. */
export interface SessionState {
  phase: Phase;
  /** The EHLO/HELO argument. */
  helo?: string;
  /** True after EHLO (extensions on), false after HELO. */
  esmtp: boolean;
  /** The authenticated user, once AUTH succeeded. */
  user?: string;
  envelope?: Envelope;
  /** An AUTH exchange in progress. */
  auth?: { mechanism: "PLAIN" | "LOGIN"; username?: string };
}

/** Work a step asks the transport to do before the session can go on. */
export type Effect =
  | { kind: "sender"; address: string; params: Params }
  | { kind: "recipient"; address: string; params: Params }
  | { kind: "authenticate"; username: string; password: string }
  | { kind: "data" }
  | { kind: "close" };

/** What a step produced. */
export interface StepResult {
  state: SessionState;
  replies: Reply[];
  effect?: Effect;
}

/** A reply with its enhanced code. */
export function reply(code: number, enhanced: string | undefined, ...lines: string[]): Reply {
  return { code, enhanced, lines };
}

/**
 * Replies that never change, made once: the server encodes each of them once, not once
 * per message (they are three of the four replies of a message without pipelining).
 */
export const FIXED_REPLIES: Readonly<Record<"ok" | "sender" | "recipient" | "data", Reply>> = Object
  .freeze({
    ok: Object.freeze(reply(250, "2.0.0", "Ok")),
    sender: Object.freeze(reply(250, "2.1.0", "Ok")),
    recipient: Object.freeze(reply(250, "2.1.5", "Ok")),
    data: Object.freeze(reply(354, undefined, "End data with <CR><LF>.<CR><LF>")),
  });

/** The state of a fresh connection. */
export function initialState(): SessionState {
  return { phase: PHASE.Connected, esmtp: false };
}

/** The 220 greeting (RFC 5321 4.2, 3.1). */
export function greeting(config: SessionConfig): Reply {
  return reply(220, undefined, `${config.hostname} ESMTP course mail server ready`);
}

/**
 * Clear the envelope: the one place a transaction ends (RFC 5321 4.1.1.5 RSET,
 * 4.1.4 EHLO, 3.3 after DATA).
 */
export function resetTransaction(state: SessionState): SessionState {
  const phase = state.phase === PHASE.Connected || state.phase === PHASE.Closed
    ? state.phase
    : PHASE.Ready;
  return { ...state, phase, envelope: undefined, auth: undefined };
}

const EHLO_FIRST = reply(503, "5.5.1", "Send EHLO or HELO first");

/**
 * The command table: for each verb, the phases where it is legal, and the 503 reply for
 * the phases where it is not. Verbs missing from the table get 500 (unrecognized);
 * verbs listed with `notImplemented` get 502 (RFC 5321 4.2.4).
 */
export const COMMANDS: Record<
  string,
  { allowed: readonly Phase[]; refuse?: Partial<Record<Phase, Reply>>; notImplemented?: true }
> = {
  EHLO: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  HELO: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  MAIL: {
    allowed: [PHASE.Ready],
    refuse: {
      connected: EHLO_FIRST,
      mail: reply(503, "5.5.1", "Sender already given (nested MAIL command)"),
      rcpt: reply(503, "5.5.1", "Sender already given (nested MAIL command)"),
    },
  },
  RCPT: {
    allowed: [PHASE.Mail, PHASE.Rcpt],
    refuse: { connected: EHLO_FIRST, ready: reply(503, "5.5.1", "Need MAIL before RCPT") },
  },
  DATA: {
    allowed: [PHASE.Rcpt],
    refuse: {
      connected: EHLO_FIRST,
      ready: reply(503, "5.5.1", "Need MAIL before DATA"),
      mail: reply(503, "5.5.1", "Need RCPT before DATA (no valid recipients)"),
    },
  },
  AUTH: {
    allowed: [PHASE.Ready],
    refuse: {
      connected: reply(503, "5.5.1", "Send EHLO first"),
      mail: reply(503, "5.5.1", "AUTH not allowed during a mail transaction"),
      rcpt: reply(503, "5.5.1", "AUTH not allowed during a mail transaction"),
    },
  },
  RSET: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  NOOP: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  QUIT: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  VRFY: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  HELP: { allowed: [PHASE.Connected, PHASE.Ready, PHASE.Mail, PHASE.Rcpt] },
  EXPN: { allowed: [], notImplemented: true },
  TURN: { allowed: [], notImplemented: true },
  ETRN: { allowed: [], notImplemented: true },
  BDAT: { allowed: [], notImplemented: true },
  STARTTLS: { allowed: [], notImplemented: true },
  SEND: { allowed: [], notImplemented: true },
  SOML: { allowed: [], notImplemented: true },
  SAML: { allowed: [], notImplemented: true },
};

/** The EHLO reply: our name, then one extension per line (RFC 5321 4.1.1.1). */
export function ehloReply(config: SessionConfig, clientName: string): Reply {
  const lines = [
    `${config.hostname} greets ${clientName}`,
    "PIPELINING", // RFC 2920
    `SIZE ${config.maxMessageSize}`, // RFC 1870
    "8BITMIME", // RFC 6152
    "ENHANCEDSTATUSCODES", // RFC 2034
  ];
  if (config.authMechanisms.length) lines.push(`AUTH ${config.authMechanisms.join(" ")}`); // RFC 4954
  lines.push("HELP");
  return reply(250, undefined, ...lines);
}

/**
 * Feed one line from the client to the session.
 *
 * @example A greeting, EHLO and MAIL, without any network
 * ```ts
 * import { initialState, step } from "./session.ts";
 * const config = { hostname: "mx.test", maxMessageSize: 1000, maxRecipients: 10, authMechanisms: [] };
 * let s = initialState();
 * const early = step(config, s, "MAIL FROM:<a@b.test>");
 * if (early.replies[0].code !== 503) throw new Error("MAIL before EHLO must be 503");
 * s = step(config, s, "EHLO client.test").state;
 * const mail = step(config, s, "MAIL FROM:<a@b.test>");
 * if (mail.effect?.kind !== "sender") throw new Error("the backend decides about senders");
 * ```
 */
export function step(config: SessionConfig, state: SessionState, line: string): StepResult {
  if (state.phase === PHASE.Auth) return authResponse(state, line);
  if (state.phase === PHASE.Closed || state.phase === PHASE.Data) {
    throw new Error(`Cannot step: the session is in phase ${state.phase}`);
  }
  const one = (r: Reply, next = state): StepResult => ({ state: next, replies: [r] });
  if (line.length > MAX_COMMAND_LINE && !/^auth /i.test(line)) {
    return one(reply(500, "5.5.2", `Line too long (the limit is ${MAX_COMMAND_LINE + 2} bytes)`));
  }
  // deno-lint-ignore no-control-regex
  if (/[\0-\x08\x0a-\x1f\x7f]/.test(line)) {
    return one(reply(501, "5.5.2", "Control characters in command"));
  }
  let command;
  try {
    command = parseCommand(line);
  } catch (e) {
    if (e instanceof SmtpError) return one(e.reply);
    throw e;
  }
  const rule = COMMANDS[command.verb];
  if (!rule) return one(reply(500, "5.5.2", `Command unrecognized: ${command.verb}`));
  if (rule.notImplemented) {
    return one(reply(502, "5.5.1", `Command not implemented: ${command.verb}`));
  }
  if (!rule.allowed.includes(state.phase)) {
    return one(rule.refuse?.[state.phase] ?? reply(503, "5.5.1", "Bad sequence of commands"));
  }
  try {
    return HANDLERS[command.verb](config, state, command.arg);
  } catch (e) {
    if (e instanceof SmtpError) return one(e.reply);
    throw e;
  }
}

type Handler = (config: SessionConfig, state: SessionState, arg: string) => StepResult;

function noArgument(verb: string, arg: string): void {
  if (arg.trim() !== "") throw new SmtpError(501, "5.5.4", `Syntax: ${verb} takes no argument`);
}

const HANDLERS: Record<string, Handler> = {
  EHLO(config, state, arg) {
    const name = helloName("EHLO", arg);
    return {
      state: { ...resetTransaction(state), phase: PHASE.Ready, helo: name, esmtp: true },
      replies: [ehloReply(config, name)],
    };
  },
  HELO(config, state, arg) {
    const name = helloName("HELO", arg);
    return {
      state: { ...resetTransaction(state), phase: PHASE.Ready, helo: name, esmtp: false },
      replies: [reply(250, undefined, `${config.hostname} greets ${name}`)],
    };
  },
  MAIL(config, state, arg) {
    const { address, params } = parsePathArgument("FROM", arg);
    for (const [key, value] of params) {
      if (!state.esmtp) throw new SmtpError(555, "5.5.4", "Parameters need EHLO, not HELO");
      if (key === "SIZE") {
        if (value === true || !/^\d{1,18}$/.test(value)) {
          throw new SmtpError(501, "5.5.4", "Syntax: SIZE=<number>");
        }
        if (Number(value) > config.maxMessageSize) {
          throw new SmtpError(
            552,
            "5.3.4",
            `Message size exceeds the fixed maximum of ${config.maxMessageSize} bytes`,
          );
        }
      } else if (key === "BODY") {
        if (value !== "7BIT" && value !== "8BITMIME" && value !== "7bit" && value !== "8bitmime") {
          throw new SmtpError(501, "5.5.4", "Syntax: BODY=7BIT or BODY=8BITMIME");
        }
      } else if (key !== "AUTH") { // RFC 4954 5: AUTH=<mailbox> may be ignored
        throw new SmtpError(555, "5.5.4", `Unsupported MAIL parameter: ${key}`);
      }
    }
    return { state, replies: [], effect: { kind: "sender", address, params } };
  },
  RCPT(config, state, arg) {
    const { address, params } = parsePathArgument("TO", arg);
    const [first] = params.keys();
    if (first !== undefined) {
      throw new SmtpError(555, "5.5.4", `Unsupported RCPT parameter: ${first}`);
    }
    if ((state.envelope?.to.length ?? 0) >= config.maxRecipients) {
      throw new SmtpError(
        452,
        "4.5.3",
        `Too many recipients (at most ${config.maxRecipients} per message)`,
      );
    }
    return { state, replies: [], effect: { kind: "recipient", address, params } };
  },
  DATA(_config, state, arg) {
    noArgument("DATA", arg);
    return {
      state: { ...state, phase: PHASE.Data },
      replies: [FIXED_REPLIES.data],
      effect: { kind: "data" },
    };
  },
  AUTH(config, state, arg) {
    if (!state.esmtp) {
      throw new SmtpError(503, "5.5.1", "Send EHLO first (AUTH is an ESMTP extension)");
    }
    if (state.user !== undefined) throw new SmtpError(503, "5.5.1", "Already authenticated");
    const [name = "", initial, extra] = arg.split(" ");
    const mechanism = name.toUpperCase();
    if (!name || extra !== undefined) {
      throw new SmtpError(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
    }
    if (
      mechanism !== "PLAIN" && mechanism !== "LOGIN" || !config.authMechanisms.includes(mechanism)
    ) {
      throw new SmtpError(504, "5.5.4", `Unrecognized authentication mechanism: ${name}`);
    }
    const inAuth: SessionState = { ...state, phase: PHASE.Auth, auth: { mechanism } };
    if (initial !== undefined) return authResponse(inAuth, initial === "=" ? "" : initial);
    // RFC 4954 4: an empty challenge for PLAIN; LOGIN asks "Username:".
    const challenge = mechanism === "PLAIN" ? "" : btoa("Username:");
    return { state: inAuth, replies: [reply(334, undefined, challenge)] };
  },
  RSET(_config, state, arg) {
    noArgument("RSET", arg);
    return { state: resetTransaction(state), replies: [FIXED_REPLIES.ok] };
  },
  NOOP(_config, state) {
    return { state, replies: [FIXED_REPLIES.ok] };
  },
  QUIT(config, state, arg) {
    noArgument("QUIT", arg);
    return {
      state: { ...resetTransaction(state), phase: PHASE.Closed },
      replies: [reply(221, "2.0.0", `${config.hostname} closing connection`)],
      effect: { kind: "close" },
    };
  },
  VRFY(_config, state, arg) {
    if (!arg.trim()) throw new SmtpError(501, "5.5.4", "Syntax: VRFY <address>");
    // RFC 5321 3.5.3: 252 neither confirms nor denies, so VRFY cannot harvest addresses.
    return {
      state,
      replies: [
        reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"),
      ],
    };
  },
  HELP(_config, state) {
    return {
      state,
      replies: [
        reply(
          214,
          "2.0.0",
          "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY AUTH HELP",
          "See RFC 5321",
        ),
      ],
    };
  },
};

function helloName(verb: string, arg: string): string {
  const name = arg.trim();
  // RFC 5321 4.1.4: a server MUST NOT refuse a name that does not match the client's
  // address, so any printable token is taken; an empty one is a syntax error.
  if (!/^[\x21-\x7e]{1,255}$/.test(name)) {
    throw new SmtpError(501, "5.5.4", `Syntax: ${verb} hostname`);
  }
  return name;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode base64 strictly into UTF-8 text; null when it is not valid base64 or UTF-8. */
export function decodeBase64Text(text: string): string | null {
  if (!BASE64.test(text)) return null;
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The client sent a line longer than the line cap. Outside AUTH it is an ordinary 500
 * and the session is unchanged. During an AUTH exchange RFC 4954 4 says the server
 * "fails the AUTH command with the 500 reply" (enhanced code 5.5.6): the exchange is
 * over for both sides, so the next line is read as a command again.
 *
 * @example
 * ```ts
 * import { initialState, lineTooLong, PHASE } from "./session.ts";
 * const inAuth = { ...initialState(), phase: PHASE.Auth, auth: { mechanism: "PLAIN" as const } };
 * const r = lineTooLong(inAuth);
 * if (r.replies[0].enhanced !== "5.5.6" || r.state.phase !== PHASE.Ready) throw new Error();
 * ```
 */
export function lineTooLong(state: SessionState): StepResult {
  if (state.phase === PHASE.Auth) {
    return {
      state: { ...state, phase: PHASE.Ready, auth: undefined },
      replies: [reply(500, "5.5.6", "Authentication exchange line is too long")],
    };
  }
  return { state, replies: [reply(500, "5.5.2", "Line too long")] };
}

/** A line during an AUTH exchange (RFC 4954 4): `*` cancels, anything else is base64. */
function authResponse(state: SessionState, line: string): StepResult {
  const auth = state.auth!;
  const back = { ...state, phase: PHASE.Ready, auth: undefined };
  if (line === "*") {
    return { state: back, replies: [reply(501, "5.0.0", "Authentication cancelled")] };
  }
  const text = decodeBase64Text(line.trim());
  if (text === null) {
    return {
      state: back,
      replies: [reply(501, "5.5.2", "Cannot decode response: invalid base64")],
    };
  }
  if (auth.mechanism === "PLAIN") {
    // RFC 4616 2: authzid NUL authcid NUL passwd
    const parts = text.split("\0");
    if (parts.length !== 3 || !parts[1]) {
      return {
        state: back,
        replies: [
          reply(501, "5.5.2", "Cannot decode PLAIN response: need authzid\\0user\\0password"),
        ],
      };
    }
    const [authzid, username, password] = parts;
    if (authzid && authzid !== username) {
      return {
        state: back,
        replies: [
          reply(535, "5.7.8", "Authentication credentials invalid (cannot act as another user)"),
        ],
      };
    }
    return { state: back, replies: [], effect: { kind: "authenticate", username, password } };
  }
  if (auth.username === undefined) {
    return {
      state: { ...state, auth: { ...auth, username: text } },
      replies: [reply(334, undefined, btoa("Password:"))],
    };
  }
  return {
    state: back,
    replies: [],
    effect: { kind: "authenticate", username: auth.username, password: text },
  };
}

/**
 * Report how an effect turned out: `null` for success, an {@linkcode SmtpError} for a
 * refusal. For `data`, success means the message is stored (on disk).
 */
export function complete(
  state: SessionState,
  effect: Effect,
  outcome: SmtpError | null,
  id?: string,
): StepResult {
  const one = (r: Reply, next = state): StepResult => ({ state: next, replies: [r] });
  switch (effect.kind) {
    case "sender": {
      if (outcome) return one(outcome.reply);
      const body = String(effect.params.get("BODY") ?? "7BIT").toUpperCase() === "8BITMIME"
        ? "8BITMIME"
        : "7BIT";
      const size = effect.params.get("SIZE");
      const envelope: Envelope = { from: effect.address, to: [], body };
      if (typeof size === "string") envelope.declaredSize = Number(size);
      return one(FIXED_REPLIES.sender, { ...state, phase: PHASE.Mail, envelope });
    }
    case "recipient": {
      if (outcome) return one(outcome.reply);
      const envelope = { ...state.envelope!, to: [...state.envelope!.to, effect.address] };
      return one(FIXED_REPLIES.recipient, { ...state, phase: PHASE.Rcpt, envelope });
    }
    case "authenticate":
      if (outcome) return one(outcome.reply);
      return one(reply(235, "2.7.0", "Authentication successful"), {
        ...state,
        user: effect.username,
      });
    case "data":
      // Whatever happened, the transaction is over (RFC 5321 4.1.1.4).
      return one(
        outcome ? outcome.reply : reply(250, "2.0.0", id ? `Ok: queued as ${id}` : "Ok"),
        resetTransaction({ ...state, phase: PHASE.Ready }),
      );
    case "close":
      return { state, replies: [] };
  }
}
