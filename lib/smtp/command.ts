/**
 * SMTP commands: parse what a client sends (server side) and format what a client sends
 * (client side).
 *
 * RFC 5321 4.1.1: a command is a four-letter verb, case-insensitive, then arguments.
 * `MAIL FROM:<path>` and `RCPT TO:<path>` carry a path in angle brackets followed by
 * ESMTP parameters `KEYWORD[=value]` (RFC 5321 4.1.2), such as `SIZE=1234` (RFC 1870) or
 * `BODY=8BITMIME` (RFC 6152).
 *
 * Parsers throw {@linkcode SmtpError} with the reply the RFC prescribes (501 for bad
 * syntax), so the session can send it as it is.
 *
 * @module
 */

import { SmtpError } from "./error.ts";
import { LIMITS } from "./limits.ts";

/** A command line split into its verb (upper-cased) and the rest. */
export interface Command {
  /** The verb in upper case, e.g. `"MAIL"`. */
  verb: string;
  /** Everything after the verb and one space, as sent. */
  arg: string;
}

/** RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF (limits.ts). */
export const MAX_COMMAND_LINE: number = LIMITS.commandLine;
/** RFC 5321 4.5.3.1.3: a path is at most 256 octets, brackets included. */
export const MAX_PATH = 256;

/**
 * Split a command line into verb and argument.
 *
 * @throws {SmtpError} 500 for an empty line or a verb that is not letters.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./command.ts";
 * const c = parseCommand("mail FROM:<a@b.test> SIZE=10");
 * if (c.verb !== "MAIL" || c.arg !== "FROM:<a@b.test> SIZE=10") throw new Error();
 * ```
 */
export function parseCommand(line: string): Command {
  const match = /^([A-Za-z]{1,12})(?: (.*))?$/s.exec(line.trimEnd());
  if (!match) throw new SmtpError(500, "5.5.2", "Syntax error, command unrecognized");
  return { verb: match[1].toUpperCase(), arg: match[2] ?? "" };
}

/** ESMTP parameters, keyword (upper case) to value (`true` when it has none). */
export type Params = Map<string, string | true>;

/** `MAIL FROM:` or `RCPT TO:` parsed. */
export interface PathArgument {
  /** The address, `""` for the null reverse-path `<>` (bounces, RFC 5321 4.5.5). */
  address: string;
  params: Params;
}

// RFC 5321 4.1.2 atext, without the specials.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_STRING = `${ATOM}(?:\\.${ATOM})*`;
const QUOTED = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*"';
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const DOMAIN = `${LABEL}(?:\\.${LABEL})*`;
const ADDRESS_LITERAL = "\\[[\\x21-\\x5a\\x5e-\\x7e]+\\]";
const MAILBOX = new RegExp(`^(?:${DOT_STRING}|${QUOTED})@(?:${DOMAIN}|${ADDRESS_LITERAL})$`);
const DOMAIN_ONLY = new RegExp(`^(?:${DOMAIN}|${ADDRESS_LITERAL})$`);

/** True when `address` is a valid RFC 5321 4.1.2 Mailbox (`local@domain`). */
export function isMailbox(address: string): boolean {
  if (!MAILBOX.test(address)) return false;
  const at = address.lastIndexOf("@");
  return at <= 64 && address.length - at - 1 <= 255; // RFC 5321 4.5.3.1.1 and .2
}

/** True when `domain` is a valid EHLO/HELO argument: a domain or an address literal. */
export function isDomain(domain: string): boolean {
  return domain.length <= 255 && DOMAIN_ONLY.test(domain);
}

/** How the argument of MAIL and of RCPT begins, up to the `<`. */
const PATH_HEAD = { FROM: /^FROM: ?</i, TO: /^TO: ?</i };

/**
 * Parse the argument of MAIL (`FROM:<path> params`) or RCPT (`TO:<path> params`).
 *
 * Tolerated as most servers do: a space after the colon, and the keyword in any case.
 * A source route (`<@relay:user@host>`, RFC 5321 4.1.1.3 and C) is accepted and ignored.
 * `RCPT TO:<Postmaster>` without a domain is allowed (RFC 5321 4.1.1.3).
 *
 * @throws {SmtpError} 501 with the reason for bad syntax.
 *
 * @example
 * ```ts
 * import { parsePathArgument } from "./command.ts";
 * const p = parsePathArgument("FROM", "FROM:<me@a.test> BODY=8BITMIME SIZE=200");
 * if (p.address !== "me@a.test" || p.params.get("SIZE") !== "200") throw new Error();
 * ```
 */
export function parsePathArgument(keyword: "FROM" | "TO", arg: string): PathArgument {
  const verb = keyword === "FROM" ? "MAIL" : "RCPT";
  const head = PATH_HEAD[keyword].exec(arg);
  if (!head) throw new SmtpError(501, "5.5.4", `Syntax: ${verb} ${keyword}:<address>`);
  const close = arg.indexOf(">", head[0].length);
  if (close < 0) {
    throw new SmtpError(501, "5.5.4", `Syntax: ${verb} ${keyword}:<address>, missing >`);
  }
  if (close - head[0].length + 2 > MAX_PATH) {
    throw new SmtpError(501, "5.1.3", `Path longer than ${MAX_PATH} bytes`);
  }
  let address = arg.slice(head[0].length, close);
  const route = /^@[^:]*:/.exec(address); // obsolete source route: ignore it
  if (route) address = address.slice(route[0].length);
  const valid = address === ""
    ? keyword === "FROM"
    : isMailbox(address) || (keyword === "TO" && address.toLowerCase() === "postmaster");
  if (!valid) throw new SmtpError(501, "5.1.3", `Bad address syntax: <${address}>`);
  return { address, params: parseParams(arg.slice(close + 1)) };
}

/**
 * Parse ESMTP parameters (RFC 5321 4.1.2: `esmtp-keyword ["=" esmtp-value]`).
 *
 * @throws {SmtpError} 501 for a malformed parameter or one given twice.
 */
export function parseParams(text: string): Params {
  const params: Params = new Map();
  if (text.trim() === "") return params;
  if (!text.startsWith(" ")) {
    throw new SmtpError(501, "5.5.4", "Syntax: a space must precede parameters");
  }
  for (const word of text.trim().split(/ +/)) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e]+))?$/.exec(word);
    if (!match) throw new SmtpError(501, "5.5.4", `Bad parameter syntax: ${word}`);
    const key = match[1].toUpperCase();
    if (params.has(key)) throw new SmtpError(501, "5.5.4", `Parameter given twice: ${key}`);
    params.set(key, match[2] ?? true);
  }
  return params;
}

/**
 * Refuse client text containing CR or LF (or NUL): that is how SMTP command injection
 * happens, e.g. an address `a@b>\r\nRCPT TO:<victim@c>` (Go's net/smtp refuses it too).
 *
 * @throws {TypeError} naming what was wrong and where.
 */
export function checkClientText(what: string, text: string): string {
  const bad = /[\r\n\0]/.exec(text);
  if (bad) {
    const name = bad[0] === "\r" ? "CR" : bad[0] === "\n" ? "LF" : "NUL";
    throw new TypeError(
      `Cannot send ${what}: it contains ${name} at index ${bad.index}: ${JSON.stringify(text)}`,
    );
  }
  return text;
}

/**
 * Format `MAIL FROM:<addr>` or `RCPT TO:<addr>` with parameters, for a client.
 *
 * @throws {TypeError} CR/LF in any part, or an address that is not a mailbox.
 *
 * @example
 * ```ts
 * import { formatPathCommand } from "./command.ts";
 * const line = formatPathCommand("MAIL", "me@a.test", { SIZE: "10" });
 * if (line !== "MAIL FROM:<me@a.test> SIZE=10") throw new Error(line);
 * ```
 */
export function formatPathCommand(
  verb: "MAIL" | "RCPT",
  address: string,
  params: Record<string, string | true> = {},
): string {
  checkClientText(`${verb} address`, address);
  if (!(address === "" && verb === "MAIL") && !isMailbox(address)) {
    throw new TypeError(
      `Cannot send ${verb}: ${JSON.stringify(address)} is not an address like user@example.com`,
    );
  }
  let line = `${verb} ${verb === "MAIL" ? "FROM" : "TO"}:<${address}>`;
  for (const [key, value] of Object.entries(params)) {
    checkClientText(`${verb} parameter`, key + (value === true ? "" : value));
    if (
      !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key) ||
      (value !== true && !/^[\x21-\x3c\x3e-\x7e]+$/.test(value))
    ) {
      throw new TypeError(`Cannot send ${verb}: bad parameter ${key}=${value}`);
    }
    line += value === true ? ` ${key}` : ` ${key}=${value}`;
  }
  return line;
}
