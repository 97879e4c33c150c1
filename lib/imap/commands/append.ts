/**
 * APPEND (RFC 3501 6.3.11, with RFC 4315's APPENDUID): store a message the client sends
 * as a literal, synchronizing `{n}` or, with LITERAL+, non-synchronizing `{n+}`.
 *
 * @module
 */

import { encodeBinaryParts, hasNul } from "../binary.ts";
import { STATE } from "../constants.ts";
import { parseMime } from "../mime.ts";
import { DateError, parseDateTime } from "../date.ts";
import { canonicalFlag } from "../flags.ts";
import { isKeyword } from "../keywords.ts";
import type { SharedMailbox } from "../mailbox.ts";
import type { Session } from "../session.ts";
import { bytesOf, type ImapValue, textOf } from "../values.ts";
import { CommandError, type CommandHandler, mailboxArg } from "./types.ts";

/** The shared mailbox to write into, or NO [TRYCREATE] (RFC 3501 6.3.11). */
export async function targetMailbox(session: Session, name: string): Promise<SharedMailbox> {
  try {
    return await session.config.registry.get(session.user!, session.maildir!, name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || (error as Error).name === "MailboxNameError") {
      throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "TRYCREATE");
    }
    throw error;
  }
}

/**
 * Flags a client asks to set (RFC 3501 9 `flag`): system flags in their canonical
 * spelling, and keywords. \Recent cannot be set (RFC 3501 2.3.2) and other backslash
 * words are not flags; both are BAD.
 */
export function flagArgs(values: readonly ImapValue[], verb: string): string[] {
  return values.map((v) => {
    const flag = textOf(v);
    if (v.type !== "atom" || flag === null) {
      throw new CommandError("BAD", `${verb}: flags must be atoms`);
    }
    if (flag.startsWith("\\")) {
      const canonical = canonicalFlag(flag);
      if (canonical) return canonical;
      throw new CommandError(
        "BAD",
        flag.toLowerCase() === "\\recent"
          ? `${verb}: \\Recent cannot be set`
          : `${verb}: invalid system flag ${flag}`,
      );
    }
    if (!isKeyword(flag)) throw new CommandError("BAD", `${verb}: invalid keyword ${flag}`);
    return flag;
  });
}

/** A parenthesized flag list (APPEND). */
export function flagList(value: ImapValue, verb: string): string[] {
  if (value.type !== "list") throw new CommandError("BAD", "Expected a parenthesized flag list");
  return flagArgs(value.items, verb);
}

/** RFC 3501 6.3.11. */
export const APPEND: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  async run(session, command) {
    const args = [...command.args];
    if (args.length < 2 || args.length > 4) {
      throw new CommandError(
        "BAD",
        "APPEND expects a mailbox, optional flags and date, and a message literal",
      );
    }
    const name = mailboxArg(args.shift());
    const message = args.pop()!;
    let flags: string[] = [];
    let date: Date | undefined;
    for (const arg of args) {
      if (arg.type === "list") flags = flagList(arg, "APPEND");
      else if (arg.type === "string") {
        try {
          date = parseDateTime(arg.value);
        } catch (error) {
          if (error instanceof DateError) throw new CommandError("BAD", error.message);
          throw error;
        }
      } else throw new CommandError("BAD", "APPEND: expected flags (...) or a quoted date-time");
    }
    const sent = message.type === "literal" || message.type === "string" ? bytesOf(message) : null;
    if (sent === null) throw new CommandError("BAD", "APPEND: the message must be a literal");
    if (sent.length === 0) throw new CommandError("NO", "APPEND: the message is empty");
    if (hasNul(sent) && !(message.type === "literal" && message.binary)) {
      // RFC 3501 4.3: a plain literal carries no NUL; RFC 3516 4.3: a literal8 may.
      throw new CommandError("NO", "APPEND: NUL in a message needs a literal8 (~{n})");
    }
    const bytes = encodeBinaryParts(sent);
    const header = parseMime(bytes);
    if (hasNul(bytes.subarray(0, header.bodyStart))) {
      throw new CommandError("NO", "APPEND: a header cannot hold NUL");
    }
    const target = await targetMailbox(session, name);
    const uid = await target.append(bytes, flags, date);
    return {
      status: "OK",
      code: `APPENDUID ${target.uidValidity} ${uid}`,
      text: "APPEND completed",
    };
  },
};
