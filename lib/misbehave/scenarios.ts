/**
 * The misbehaving servers' scenarios, as data a learner can read.
 *
 * Each scenario says what the server does wrong (per protocol it plays), what a client
 * that follows the RFCs must do about it, where the RFC says so, and how such a client
 * ends: it completes the task with the data intact, or it fails with a clear error. In
 * every scenario the client must also finish before its own deadline and close its
 * connection.
 *
 * The servers in `smtp.ts`, `pop3.ts` and `imap.ts` play these scenarios; graders and
 * the robustness chapter walk this table.
 *
 * @module
 */

/** The protocols the misbehaving servers speak. */
export type Protocol = "smtp" | "pop3" | "imap";

/** How an RFC-correct client ends a scenario. */
export const OUTCOME = {
  /** It finishes its task and the data is intact (stored or returned byte for byte). */
  Completes: "completes",
  /** It gives up with an error that says what went wrong; nothing is half-done. */
  Fails: "fails",
  /** Either: retrying and completing, or giving up clearly, are both correct. */
  Either: "either",
} as const;

/** One of {@linkcode OUTCOME}'s values. */
export type Outcome = typeof OUTCOME[keyof typeof OUTCOME];

/** The names of every scenario. */
export type ScenarioName =
  | "polite"
  | "lf-endings"
  | "one-byte-writes"
  | "split-writes"
  | "multi-line-replies"
  | "slow-greeting"
  | "stall-mid-reply"
  | "close-before-greeting"
  | "close-mid-transfer"
  | "transient-error"
  | "busy-once"
  | "wrong-code"
  | "huge-line"
  | "endless-line";

/** One way of misbehaving. */
export interface Scenario {
  name: ScenarioName;
  /** What the server does, for each protocol that plays this scenario. */
  does: Partial<Record<Protocol, string>>;
  /** What an RFC-correct client does about it. */
  clientMust: string;
  /** Where the RFCs say so. */
  rfc: string;
  /** How such a client ends. */
  outcome: Outcome;
  /** What the client gets to see in a matching error, when it fails (a pattern on its message). */
  errorMentions?: Partial<Record<Protocol, RegExp>>;
}

/** How long the slow greeting waits, in ms: slow, but well inside any sane deadline. */
export const SLOW_GREETING_MS = 300;
/** How long the huge line is, in bytes: far past every reply limit, yet finite. */
export const HUGE_LINE_BYTES = 100_000;
/** The endless line stops after this many bytes (so that a client without a cap still ends). */
export const ENDLESS_LINE_LIMIT = 32 * 1024 * 1024;

/**
 * Every scenario. "polite" is the control: a well-behaved server, so that a client that
 * fails everywhere is told apart from one that fails only where it should.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "polite",
    does: {
      smtp: "behaves: 220 greeting, 250 to EHLO, MAIL and RCPT, 354 to DATA, 250 after the dot.",
      pop3: "behaves: +OK greeting, login, STAT, LIST, UIDL, RETR, DELE, QUIT.",
      imap: "behaves: OK greeting, LOGIN, SELECT, FETCH with literals, LOGOUT.",
    },
    clientMust: "do its job: this is the control that tells a broken client from a strict one.",
    rfc: "RFC 5321 3.3; RFC 1939 3; RFC 3501 2.2",
    outcome: OUTCOME.Completes,
  },
  {
    name: "lf-endings",
    does: {
      smtp: "ends every reply line with LF alone instead of CRLF.",
      pop3: "ends every line with LF alone, message lines included.",
      imap: "ends every response line with LF alone (literals keep their exact bytes).",
    },
    clientMust:
      "either accept the bare LF as a line end and carry on (the robustness principle; the data it returns still uses CRLF), or refuse with an error naming the line ending (Python's imaplib does). It must never misread the data.",
    rfc: "RFC 5321 2.3.8; RFC 1939 3; RFC 3501 2.2; RFC 1122 1.2.2 (robustness principle)",
    outcome: OUTCOME.Either,
  },
  {
    name: "one-byte-writes",
    does: {
      smtp: "sends every reply one byte per TCP write.",
      pop3: "sends every response one byte per TCP write.",
      imap: "sends every response, literals included, one byte per TCP write.",
    },
    clientMust:
      "buffer until a whole line (or the whole literal) is in: TCP is a byte stream, one read is not one line.",
    rfc: "RFC 9293 2.2 (a byte-stream service); RFC 5321 4.2.1; RFC 3501 4.3",
    outcome: OUTCOME.Completes,
  },
  {
    name: "split-writes",
    does: {
      smtp: "splits replies into writes of 1 to 7 bytes, cutting inside CRLF and inside codes.",
      pop3:
        "splits responses into writes of 1 to 7 bytes, cutting inside CRLF and the terminating dot.",
      imap: "splits responses into writes of 1 to 7 bytes, cutting inside literal announcements.",
    },
    clientMust: "reassemble the stream, exactly as for one-byte writes.",
    rfc: "RFC 9293 2.2",
    outcome: OUTCOME.Completes,
  },
  {
    name: "multi-line-replies",
    does: {
      smtp:
        "answers MAIL, RCPT, DATA and the message with multi-line replies (250-... then 250 ...).",
      imap:
        "sends unsolicited untagged responses (* OK, * 3 EXISTS, * 1 FETCH (FLAGS ...)) before every tagged completion and before its FETCH data.",
    },
    clientMust:
      "read a reply to its last line (SMTP: until the line whose fourth character is a space) and accept untagged responses at any time.",
    rfc: "RFC 5321 4.2.1; RFC 3501 2.2.2 and 7",
    outcome: OUTCOME.Completes,
  },
  {
    name: "slow-greeting",
    does: {
      smtp: `waits ${SLOW_GREETING_MS} ms before its 220 greeting.`,
      pop3: `waits ${SLOW_GREETING_MS} ms before its +OK greeting.`,
      imap: `waits ${SLOW_GREETING_MS} ms before its * OK greeting.`,
    },
    clientMust:
      "wait for the greeting within its deadline: an accepted connection is not a greeting, and busy servers greet late on purpose.",
    rfc: "RFC 5321 4.5.3.2.1",
    outcome: OUTCOME.Completes,
  },
  {
    name: "stall-mid-reply",
    does: {
      smtp: "sends half of its reply to EHLO, then nothing, and keeps the connection open.",
      pop3: "sends half of its reply to PASS, then nothing, and keeps the connection open.",
      imap: "sends half of its reply to LOGIN, then nothing, and keeps the connection open.",
    },
    clientMust:
      "give up when its per-command deadline passes, say so, and close the connection: never wait forever.",
    rfc: "RFC 5321 4.5.3.2; RFC 1939 3; RFC 3501 5.4",
    outcome: OUTCOME.Fails,
    errorMentions: {
      smtp: /time|deadline|slow|stall/i,
      pop3: /time|deadline|slow|stall/i,
      imap: /time|deadline|slow|stall/i,
    },
  },
  {
    name: "close-before-greeting",
    does: {
      smtp: "accepts the connection and closes it at once, without a greeting.",
      pop3: "accepts the connection and closes it at once, without a greeting.",
      imap: "accepts the connection and closes it at once, without a greeting.",
    },
    clientMust:
      "report that the server closed the connection (an SMTP client treats it as a transient 451 and may retry later).",
    rfc: "RFC 5321 3.8; RFC 1939 4; RFC 3501 7.1",
    outcome: OUTCOME.Fails,
  },
  {
    name: "close-mid-transfer",
    does: {
      smtp: "reads part of the message after 354, then closes without a reply.",
      pop3: "closes the connection in the middle of the RETR response, before the terminating dot.",
      imap: "closes the connection in the middle of a FETCH literal.",
    },
    clientMust:
      "fail: the transfer never completed. An SMTP client must not count the message as delivered (no 250 came); a POP3 or IMAP client must not return the truncated bytes as the message.",
    rfc: "RFC 5321 3.8 and 4.1.1.4; RFC 1939 3; RFC 3501 4.3",
    outcome: OUTCOME.Fails,
  },
  {
    name: "transient-error",
    does: {
      smtp: "answers MAIL FROM with 451 4.3.0 (try again later).",
      pop3: "answers PASS with -ERR [SYS/TEMP] (a temporary system problem).",
      imap: "answers LOGIN with NO [UNAVAILABLE] (a subsystem is down).",
    },
    clientMust:
      "stop this attempt, end the session politely (QUIT, LOGOUT) and report a temporary failure that carries the server's reply, so that the caller can retry later.",
    rfc: "RFC 5321 4.2.1; RFC 3206 4; RFC 5530 3",
    outcome: OUTCOME.Fails,
    errorMentions: { smtp: /451/, pop3: /SYS\/TEMP|temporar/i, imap: /UNAVAILABLE|temporar/i },
  },
  {
    name: "busy-once",
    does: {
      smtp:
        "greets the first connection with 421 (too busy) and closes it; later connections are served.",
      pop3:
        "greets the first connection with -ERR [SYS/TEMP] and closes it; later connections are served.",
      imap: "greets the first connection with * BYE and closes it; later connections are served.",
    },
    clientMust:
      "either retry after a pause and then complete, or give up with an error that carries the server's reply; never deliver twice.",
    rfc: "RFC 5321 3.8 and 4.2.1; RFC 3206 4; RFC 3501 7.1.5",
    outcome: OUTCOME.Either,
    errorMentions: { smtp: /421/, pop3: /SYS\/TEMP|busy|ERR/i, imap: /BYE|busy/i },
  },
  {
    name: "wrong-code",
    does: {
      smtp: "answers DATA with 250 instead of 354.",
      pop3: "answers PASS with a line that is neither +OK nor -ERR.",
      imap: "completes LOGIN with a status that is neither OK, NO nor BAD.",
    },
    clientMust:
      "treat a reply it did not expect as a failure: an SMTP client must not send the message without 354 (its lines would be read as commands).",
    rfc: "RFC 5321 4.3.2 (DATA: 354 then 250); RFC 1939 3; RFC 3501 7.1",
    outcome: OUTCOME.Fails,
  },
  {
    name: "huge-line",
    does: {
      smtp: `puts a ${HUGE_LINE_BYTES}-byte line in its reply to EHLO (the limit is 512).`,
      pop3: `sends a ${HUGE_LINE_BYTES}-byte greeting (the limit is 512).`,
      imap: `sends a ${HUGE_LINE_BYTES}-byte untagged * OK line before its greeting.`,
    },
    clientMust:
      "not crash and not hang: either skip or accept the long line and carry on, or stop with an error that names the line length.",
    rfc: "RFC 5321 4.5.3.1.5; RFC 2449 4",
    outcome: OUTCOME.Either,
  },
  {
    name: "endless-line",
    does: {
      smtp: "starts its greeting and never ends the line (bytes keep coming, no LF).",
      pop3: "starts its greeting and never ends the line (bytes keep coming, no LF).",
      imap: "starts its greeting and never ends the line (bytes keep coming, no LF).",
    },
    clientMust:
      "stop reading at its line limit (or its deadline) with an error, holding at most a bounded amount of memory, and close the connection.",
    rfc: "RFC 5321 4.5.3.1.5 and 4.5.3.2; RFC 2449 4",
    outcome: OUTCOME.Fails,
  },
];

/**
 * The scenarios a protocol's misbehaving server plays.
 *
 * @example
 * ```ts
 * import { scenariosFor } from "./scenarios.ts";
 * const names = scenariosFor("pop3").map((s) => s.name);
 * if (names.includes("multi-line-replies") || !names.includes("lf-endings")) throw new Error();
 * ```
 */
export function scenariosFor(protocol: Protocol): Scenario[] {
  return SCENARIOS.filter((s) => s.does[protocol] !== undefined);
}

/** The scenario called `name`. @throws {RangeError} there is none. */
export function scenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) {
    throw new RangeError(
      `Cannot find scenario "${name}": choose one of ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  }
  return found;
}
