/**
 * APPEND (RFC 3501 6.3.11, with RFC 4315's APPENDUID): store messages the client sends as
 * literals, synchronizing `{n}`, non-synchronizing `{n+}` (LITERAL+) or literal8 `~{n}`
 * (BINARY). With MULTIAPPEND (RFC 3502) one command stores several messages, all or
 * none; with CATENATE (RFC 4469) a message is put together from text and parts of
 * messages already on the server, named by IMAP URLs.
 *
 * @module
 */

import { concatBytes, scanMessage } from "../../mail/mod.ts";
import { encodeBinaryParts, hasNul } from "../binary.ts";
import { STATE } from "../constants.ts";
import { DateError, parseDateTime } from "../date.ts";
import { canonicalFlag } from "../flags.ts";
import { ImapUrlError, parseImapUrl } from "../imap_url.ts";
import { isKeyword } from "../keywords.ts";
import type { SharedMailbox } from "../mailbox.ts";
import { Parser } from "../parser.ts";
import { parseSection, sectionBytes, SectionError } from "../section.ts";
import { formatSequenceSet } from "../sequence_set.ts";
import type { Session } from "../session.ts";
import { bytesOf, type ImapValue, isAtom, textOf } from "../values.ts";
import { CommandError, type CommandHandler, mailboxArg } from "./types.ts";

/** The shared mailbox to write into, or NO [TRYCREATE] (RFC 3501 6.3.11). */
export async function targetMailbox(session: Session, name: string): Promise<SharedMailbox> {
  try {
    return await session.mailbox(name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || (error as Error).name === "MailboxNameError") {
      throw new CommandError("NO", `No such mailbox ${JSON.stringify(name)}`, "TRYCREATE");
    }
    throw error;
  }
}

/**
 * Flags a client asks to set (RFC 3501 9 `flag`): system flags in their canonical
 * spelling, and keywords. \\Recent cannot be set (RFC 3501 2.3.2) and other backslash
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

/** One message of an APPEND, before its data is put together. */
interface AppendMessage {
  flags: string[];
  date?: Date;
  /** A literal (or quoted string), or the parts of a CATENATE. */
  data: ImapValue;
  catenate: boolean;
}

/**
 * Split the arguments after the mailbox into messages (RFC 3502 6.3.11 grammar:
 * `1*append-message`, each `[flags] [date-time] (literal / CATENATE (parts))`).
 */
function parseMessages(args: readonly ImapValue[]): AppendMessage[] {
  const out: AppendMessage[] = [];
  let i = 0;
  while (i < args.length) {
    const message: Partial<AppendMessage> & { flags: string[] } = { flags: [] };
    if (args[i]?.type === "list") message.flags = flagList(args[i++], "APPEND");
    if (args[i]?.type === "string") {
      try {
        message.date = parseDateTime((args[i++] as { value: string }).value);
      } catch (error) {
        if (error instanceof DateError) throw new CommandError("BAD", error.message);
        throw error;
      }
    }
    const data = args[i++];
    if (isAtom(data, "CATENATE")) {
      const parts = args[i++];
      if (parts?.type !== "list" || !parts.items.length) {
        throw new CommandError("BAD", "APPEND: CATENATE expects a list of TEXT and URL parts");
      }
      out.push({ ...message, data: parts, catenate: true });
    } else if (data?.type === "literal") {
      out.push({ ...message, data, catenate: false });
    } else {
      throw new CommandError(
        "BAD",
        "APPEND expects a mailbox, then for each message optional flags and date and a literal",
      );
    }
  }
  if (!out.length) throw new CommandError("BAD", "APPEND expects a message");
  return out;
}

/** The octets an IMAP URL names (RFC 4469 5), or NO [BADURL "url"]. */
async function urlBytes(session: Session, url: string): Promise<Uint8Array> {
  const bad = (reason: string) =>
    new CommandError(
      "NO",
      `Cannot use URL ${JSON.stringify(url)}: ${reason}`,
      `BADURL ${JSON.stringify(url)}`,
    );
  let parsed;
  try {
    parsed = parseImapUrl(url);
  } catch (error) {
    if (error instanceof ImapUrlError) throw bad(error.message);
    throw error;
  }
  const name = parsed.mailbox.toUpperCase() === "INBOX" ? "INBOX" : parsed.mailbox;
  let box: SharedMailbox;
  try {
    box = await session.mailbox(name);
  } catch {
    throw bad("no such mailbox");
  }
  if (parsed.uidValidity !== undefined && parsed.uidValidity !== box.uidValidity) {
    throw bad("the UIDVALIDITY has changed");
  }
  const message = await box.load(parsed.uid);
  if (!message) throw bad("no such message");
  let bytes: Uint8Array | null = message.bytes;
  if (parsed.section) {
    try {
      const atom = new Parser({ lines: [`BODY[${parsed.section}]`], literals: [], size: 0 })
        .readAtom();
      bytes = sectionBytes(message.bytes, message.mime, parseSection(atom.section ?? []));
    } catch (error) {
      if (error instanceof SectionError || (error as Error).name === "ImapParseError") {
        throw bad("bad SECTION");
      }
      throw error;
    }
    if (bytes === null) throw bad("no such section");
  }
  if (parsed.partial) {
    const [start, length] = parsed.partial;
    const from = Math.min(start, bytes.length);
    bytes = bytes.subarray(
      from,
      length === undefined ? bytes.length : Math.min(bytes.length, from + length),
    );
  }
  return bytes;
}

/** The octets of one message: its literal, or its CATENATE parts joined. */
async function messageBytes(session: Session, message: AppendMessage): Promise<Uint8Array> {
  if (!message.catenate) {
    const sent = bytesOf(message.data)!;
    if (hasNul(sent) && !(message.data.type === "literal" && message.data.binary)) {
      // RFC 3501 4.3: a plain literal carries no NUL; RFC 3516 4.3: a literal8 may.
      throw new CommandError("NO", "APPEND: NUL in a message needs a literal8 (~{n})");
    }
    return sent;
  }
  const chunks: Uint8Array[] = [];
  const items = (message.data as { items: ImapValue[] }).items;
  for (let i = 0; i < items.length; i += 2) {
    const kind = items[i];
    const value = items[i + 1];
    if (isAtom(kind, "TEXT") && value?.type === "literal") {
      chunks.push(value.value);
    } else if (isAtom(kind, "URL") && value && textOf(value) !== null) {
      chunks.push(await urlBytes(session, textOf(value)!));
    } else {
      throw new CommandError("BAD", "APPEND: CATENATE parts are TEXT literal or URL string");
    }
  }
  return concatBytes(chunks);
}

/** RFC 3501 6.3.11, RFC 3502 MULTIAPPEND, RFC 4469 CATENATE. */
export const APPEND: CommandHandler = {
  states: [STATE.Authenticated, STATE.Selected],
  async run(session, command) {
    if (command.args.length < 2) {
      throw new CommandError("BAD", "APPEND expects a mailbox and a message");
    }
    const name = mailboxArg(command.args[0]);
    const messages = parseMessages(command.args.slice(1));
    // RFC 4469 5: a missing mailbox is reported (TRYCREATE) before any URL is looked at.
    const target = await targetMailbox(session, name);
    // Everything is checked and put together before anything is stored: MULTIAPPEND is
    // all or nothing (RFC 3502 6.3.11).
    const ready: { bytes: Uint8Array; flags: string[]; date?: Date }[] = [];
    for (const message of messages) {
      const bytes = encodeBinaryParts(await messageBytes(session, message));
      if (bytes.length === 0) throw new CommandError("NO", "APPEND: the message is empty");
      if (bytes.length > session.config.maxLiteralSize) {
        throw new CommandError("NO", "APPEND: the message is too large", "TOOBIG");
      }
      if (hasNul(bytes.subarray(0, scanMessage(bytes).body.start))) {
        throw new CommandError("NO", "APPEND: a header cannot hold NUL");
      }
      ready.push({ bytes, flags: message.flags, date: message.date });
    }
    const uids = await target.appendMany(ready);
    return {
      status: "OK",
      code: `APPENDUID ${target.uidValidity} ${formatSequenceSet(uids)}`,
      text: "APPEND completed",
    };
  },
};
