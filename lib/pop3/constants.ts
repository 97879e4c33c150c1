/**
 * POP3's named constants: the session states, the response codes and the limits.
 *
 * RFC 1939 section 3 names three states a session passes through; RFC 2449 adds CAPA,
 * response codes in square brackets and the line limits; RFC 3206 adds the AUTH and SYS
 * response codes.
 *
 * @module
 */

/**
 * The three states of a POP3 session (RFC 1939 section 3).
 *
 * @example
 * ```ts
 * import { STATE } from "./constants.ts";
 * if (STATE.Transaction !== "TRANSACTION") throw new Error("unexpected");
 * ```
 */
export const STATE = {
  /** RFC 1939 4: the client identifies itself (USER/PASS or APOP). */
  Authorization: "AUTHORIZATION",
  /** RFC 1939 5: the maildrop is locked; the client lists, retrieves and marks messages. */
  Transaction: "TRANSACTION",
  /** RFC 1939 6: after QUIT, the server removes the marked messages and releases the lock. */
  Update: "UPDATE",
} as const;

/** One of the {@linkcode STATE} values. */
export type State = typeof STATE[keyof typeof STATE];

/** True when `value` is one of the {@linkcode STATE} values. */
export function isState(value: unknown): value is State {
  return Object.values(STATE).includes(value as State);
}

/**
 * Extended response codes, sent in square brackets after `-ERR` so a client can tell
 * failures apart without parsing prose.
 */
export const RESPONSE_CODE = {
  /** RFC 2449 8.1.1: another session holds the maildrop. */
  InUse: "IN-USE",
  /** RFC 3206 5: the credentials were wrong (not a temporary problem). */
  Auth: "AUTH",
  /** RFC 3206 4: a temporary system problem; try again later. */
  SysTemp: "SYS/TEMP",
  /** RFC 3206 4: a permanent system problem. */
  SysPerm: "SYS/PERM",
} as const;

/**
 * Every bound of the POP3 server in one place, each with its reason. `servePop3` takes
 * each as its default; the README's mail-lab table is written from
 * {@linkcode LIMIT_NOTES} (`deno run -A tools/limits_table.ts --write`). The password-guessing policy shared by all
 * three servers is `AUTH_THROTTLE` in lib/net/auth_throttle.ts.
 */
export const LIMITS = {
  /** Longest command line in octets, CRLF excluded (RFC 2449 4: 255 with CRLF). */
  commandLine: 253,
  /** Longest status line a server sends, CRLF excluded (RFC 2449 4: 512 with CRLF). */
  responseLine: 510,
  /** RETR and TOP read and stuff a message in chunks of this size: never whole in memory. */
  messageChunk: 64 * 1024,
  /** RFC 1939 3: an autologout timer must be at least 10 minutes. */
  idleTimeoutMs: 10 * 60 * 1000,
  /**
   * From the greeting to a successful login: 3 minutes in all, Dovecot's login timeout
   * (RFC 1939 3's 10-minute minimum is for an autologout timer of a session).
   */
  loginTimeoutMs: 3 * 60 * 1000,
  /** Connections at once (Dovecot pop3-login, Postfix: 100 processes by default). */
  maxConnections: 100,
  /** Connections at once from one address: half the slots, as Postfix's 50 of 100. */
  maxConnectionsPerAddress: 50,
} as const;

/** One line per limit for the README table: what it bounds and the reply past it. */
export const LIMIT_NOTES: Record<keyof typeof LIMITS, string> = {
  commandLine: "command line, bytes without CRLF (RFC 2449 4); longer: `-ERR`",
  responseLine: "status line we send, bytes without CRLF (RFC 2449 4)",
  messageChunk: "RETR and TOP stream the file in chunks of this many bytes",
  idleTimeoutMs:
    "silence once logged in, ms (RFC 1939 3); then closed without a reply and without UPDATE, as RFC 1939 3 says",
  loginTimeoutMs: "from greeting to login, ms (Dovecot's 3 min); then `-ERR` and closed",
  maxConnections: "connections at once; more: `-ERR [SYS/TEMP]` (RFC 3206 4)",
  maxConnectionsPerAddress: "connections at once from one address; more: `-ERR [SYS/TEMP]`",
};

/** The well-known POP3 port (RFC 1939 3); the course lab uses 1110 instead. */
export const POP3_PORT = 110;
