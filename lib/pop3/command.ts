/**
 * POP3 command lines: parse (server side) and format (client side).
 *
 * RFC 1939 section 3: "Commands in the POP3 consist of a case-insensitive keyword,
 * possibly followed by one or more arguments ... separated by a single SPACE."
 *
 * @module
 */

/** A parsed command line. */
export interface Command {
  /** The keyword in upper case: `"RETR"`. */
  verb: string;
  /** The arguments, split on spaces. For PASS, the one argument is the rest of the line. */
  args: string[];
}

/** A command line that is not a command. */
export class CommandSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandSyntaxError";
  }
}

/**
 * Parse one command line (without CRLF).
 *
 * PASS takes the rest of the line as its argument: RFC 1939 7 notes that a password may
 * contain spaces, and servers commonly allow it.
 *
 * @throws {CommandSyntaxError} the line is empty, holds a control character (CR, NUL,
 * TAB...: RFC 1939 3 says keywords and arguments are printable), or its keyword is not 3
 * or 4 letters.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./command.ts";
 * const c = parseCommand("top 1 10");
 * if (c.verb !== "TOP" || c.args.join() !== "1,10") throw new Error("unexpected");
 * ```
 */
export function parseCommand(line: string): Command {
  const space = line.indexOf(" ");
  const keyword = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? "" : line.slice(space + 1);
  if (keyword === "") throw new CommandSyntaxError("Cannot parse command: the line is empty");
  // deno-lint-ignore no-control-regex
  const control = /[\0-\x1f\x7f]/.exec(line);
  if (control) {
    // Never echoed back: a reply line carrying a CR or NUL is how injection starts.
    throw new CommandSyntaxError(
      `Cannot parse command: it contains the control character ${
        "0x" + control[0].charCodeAt(0).toString(16).padStart(2, "0")
      } (RFC 1939 3: printable characters only)`,
    );
  }
  // RFC 1939 3: keywords are three or four characters long (RFC 2449 allows longer
  // extension keywords, none of which we implement).
  if (!/^[A-Za-z]{3,4}$/.test(keyword)) {
    throw new CommandSyntaxError(
      `Cannot parse command: ${JSON.stringify(keyword.slice(0, 20))} is not a POP3 keyword`,
    );
  }
  const verb = keyword.toUpperCase();
  if (verb === "PASS") return { verb, args: rest === "" ? [] : [rest] };
  return { verb, args: rest === "" ? [] : rest.split(" ") };
}

/**
 * Format a command line (without CRLF) for a client to send.
 *
 * @throws {TypeError} an argument contains CR, LF or NUL (command injection), or a
 * space where the protocol cannot carry one.
 *
 * @example
 * ```ts
 * import { formatCommand } from "./command.ts";
 * if (formatCommand("RETR", 3) !== "RETR 3") throw new Error("unexpected");
 * ```
 */
export function formatCommand(verb: string, ...args: (string | number)[]): string {
  if (!/^[A-Za-z]{3,4}$/.test(verb)) {
    throw new TypeError(`Cannot format command: ${JSON.stringify(verb)} is not a POP3 keyword`);
  }
  const texts = args.map(String);
  texts.forEach((arg, i) => {
    if (/[\r\n\0]/.test(arg)) {
      throw new TypeError(
        `Cannot format ${verb}: argument ${i + 1} contains CR, LF or NUL`,
      );
    }
    const last = i === texts.length - 1;
    if (arg.includes(" ") && !(verb.toUpperCase() === "PASS" && last)) {
      throw new TypeError(`Cannot format ${verb}: argument ${i + 1} contains a space`);
    }
    if (arg === "") throw new TypeError(`Cannot format ${verb}: argument ${i + 1} is empty`);
  });
  return [verb.toUpperCase(), ...texts].join(" ");
}
