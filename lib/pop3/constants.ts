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

/** Limits from RFC 2449 section 4. */
export const LIMITS = {
  /** Longest command line in octets, CRLF excluded (RFC 2449 4: 255 with CRLF). */
  commandLine: 253,
  /** Longest status line a server sends, CRLF excluded (RFC 2449 4: 512 with CRLF). */
  responseLine: 510,
} as const;

/** The well-known POP3 port (RFC 1939 3); the course lab uses 1110 instead. */
export const POP3_PORT = 110;
