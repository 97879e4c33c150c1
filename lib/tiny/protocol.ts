/**
 * TINY: the course's first protocol, small enough to read in a minute.
 *
 * It has the shape of the mail protocols to come (POP3 above all): the server greets,
 * the client sends one command per CRLF-terminated line, the server answers each with one
 * line that starts with `+OK` or `-ERR`, and `QUIT` ends the session.
 *
 * ```
 * S: +OK tiny server ready
 * C: ECHO hello
 * S: +OK hello
 * C: UPPER hello
 * S: +OK HELLO
 * C: QUIT
 * S: +OK bye
 * ```
 *
 * @module
 */

import type { Line } from "../net/line_reader.ts";

/** The greeting the server sends first. */
export const GREETING = "+OK tiny server ready";

/** What the server does with one line: the reply, and whether to close afterwards. */
export interface Answer {
  reply: string;
  close: boolean;
}

/** The commands, each with what it does (shown by HELP). */
export const COMMANDS = {
  ECHO: "ECHO <text>: the server says <text> back",
  UPPER: "UPPER <text>: the server says <text> in capitals",
  TIME: "TIME: the server's clock, ISO 8601",
  HELP: "HELP: this list",
  QUIT: "QUIT: end the session",
} as const;

/**
 * Answer one line. Pure: the same line always gets the same answer (TIME aside).
 *
 * @example
 * ```ts
 * import { answer } from "./protocol.ts";
 * const a = answer({ text: "ECHO hi", ending: "CRLF", bytes: new Uint8Array() });
 * if (a.reply !== "+OK hi") throw new Error(a.reply);
 * ```
 */
export function answer(line: Line, now: () => Date = () => new Date()): Answer {
  // Like SMTP after its smuggling fixes, TINY insists on CRLF (RFC 5321 2.3.8 spirit).
  if (line.ending !== "CRLF") return { reply: "-ERR lines must end with CRLF", close: false };
  const space = line.text.indexOf(" ");
  const verb = (space < 0 ? line.text : line.text.slice(0, space)).toUpperCase();
  const argument = space < 0 ? "" : line.text.slice(space + 1);
  switch (verb) {
    case "ECHO":
      return { reply: `+OK ${argument}`, close: false };
    case "UPPER":
      return { reply: `+OK ${argument.toUpperCase()}`, close: false };
    case "TIME":
      return { reply: `+OK ${now().toISOString()}`, close: false };
    case "HELP":
      return { reply: `+OK ${Object.keys(COMMANDS).join(" ")}`, close: false };
    case "QUIT":
      return { reply: "+OK bye", close: true };
    case "":
      return { reply: "-ERR empty line", close: false };
    default:
      return { reply: `-ERR unknown command ${JSON.stringify(verb.slice(0, 20))}`, close: false };
  }
}
