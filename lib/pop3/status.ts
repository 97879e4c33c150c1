/**
 * Status lines: `+OK text` and `-ERR [CODE] text` (RFC 1939 3, RFC 2449 8).
 *
 * @module
 */

/** A parsed status line. */
export interface StatusLine {
  /** `+OK` is true, `-ERR` is false. */
  ok: boolean;
  /** The extended response code, without brackets (RFC 2449 8), if any: `"IN-USE"`. */
  code?: string;
  /** The text after the indicator (and after the code, if any). */
  text: string;
}

/** A line that is neither `+OK` nor `-ERR`. */
export class StatusSyntaxError extends Error {
  constructor(line: string) {
    super(
      `Cannot parse status line: expected +OK or -ERR, got ${JSON.stringify(line.slice(0, 60))}`,
    );
    this.name = "StatusSyntaxError";
  }
}

/**
 * Parse a status line (without CRLF).
 *
 * @throws {StatusSyntaxError} the line does not start with `+OK` or `-ERR`.
 *
 * @example
 * ```ts
 * import { parseStatus } from "./status.ts";
 * const s = parseStatus("-ERR [IN-USE] maildrop already locked");
 * if (s.ok || s.code !== "IN-USE") throw new Error("unexpected");
 * ```
 */
export function parseStatus(line: string): StatusLine {
  const match = /^(\+OK|-ERR)(?: (.*))?$/i.exec(line);
  if (!match) throw new StatusSyntaxError(line);
  const ok = match[1].toUpperCase() === "+OK";
  const rest = match[2] ?? "";
  const coded = /^\[([^\]]+)\](?: (.*))?$/.exec(rest);
  if (coded) return { ok, code: coded[1], text: coded[2] ?? "" };
  return { ok, text: rest };
}

/**
 * Format a status line (without CRLF).
 *
 * @example
 * ```ts
 * import { formatStatus } from "./status.ts";
 * if (formatStatus({ ok: false, code: "AUTH", text: "no" }) !== "-ERR [AUTH] no") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function formatStatus(status: StatusLine): string {
  const indicator = status.ok ? "+OK" : "-ERR";
  const parts = [indicator];
  if (status.code) parts.push(`[${status.code}]`);
  if (status.text) parts.push(status.text);
  return parts.join(" ");
}
