/**
 * FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8, 7.4.2): flags, UID, dates, sizes, the
 * ENVELOPE and BODYSTRUCTURE computed on the server, and any section of a message,
 * whole or a byte range. This is what lets an IMAP client download less than a POP3
 * client: a header, one MIME part, the first kilobyte.
 *
 * @module
 */

import { binaryPart, hasNul } from "../binary.ts";
import { bodyStructure } from "../body_structure.ts";
import { STATE } from "../constants.ts";
import { formatDateTime } from "../date.ts";
import { envelope } from "../envelope.ts";
import type { LoadedMessage } from "../mailbox.ts";
import { parseSection, type Section, SectionError } from "../section.ts";
import { sectionBytes } from "../section.ts";
import { formatSequenceSet, parseSequenceSet, SequenceSetError } from "../sequence_set.ts";
import { condstoreOn, enableCondstore, modseqArg, modseqItem, qresyncOn } from "../condstore.ts";
import { vanishedUids } from "../qresync.ts";
import type { Session } from "../session.ts";
import {
  atom,
  type AtomValue,
  type ImapValue,
  isAtom,
  list,
  literal,
  NIL,
  str,
  textOf,
} from "../values.ts";
import { type Command, CommandError, type CommandHandler } from "./types.ts";

/** One requested data item. */
type Item =
  | {
    kind:
      | "FLAGS"
      | "UID"
      | "INTERNALDATE"
      | "RFC822.SIZE"
      | "ENVELOPE"
      | "BODYSTRUCTURE"
      | "BODY"
      | "MODSEQ";
  }
  | {
    kind: "section";
    /** The name to answer with: BODY[...] (never BODY.PEEK), RFC822, RFC822.HEADER, RFC822.TEXT. */
    name: string;
    section: Section;
    /** The section values to echo back (field names as the client wrote them). */
    echo: ImapValue[] | null;
    partial?: [number] | [number, number];
    /** Whether fetching it sets \Seen (BODY[] does, BODY.PEEK[] and RFC822.HEADER do not). */
    setsSeen: boolean;
  }
  | {
    /** RFC 3516: BINARY[path]<partial> (decoded octets) or BINARY.SIZE[path] (their count). */
    kind: "binary";
    path: number[];
    size: boolean;
    /** The path as the client wrote it, to echo back. */
    echo: ImapValue[];
    partial?: [number] | [number, number];
    setsSeen: boolean;
  };

const MACROS: Record<string, string[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};
const SIMPLE = [
  "FLAGS",
  "UID",
  "INTERNALDATE",
  "RFC822.SIZE",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "BODY",
  "MODSEQ", // RFC 7162 3.1.4.2
];

function parseItem(value: ImapValue): Item {
  if (value.type !== "atom") throw new CommandError("BAD", "FETCH: expected a data item name");
  const name = value.value.toUpperCase();
  if (value.section && name.startsWith("BINARY")) return parseBinaryItem(value, name);
  if (value.section) {
    if (name !== "BODY" && name !== "BODY.PEEK") {
      throw new CommandError("BAD", `FETCH: ${value.value}[...] is not a data item`);
    }
    let section: Section;
    try {
      section = parseSection(value.section);
    } catch (error) {
      if (error instanceof SectionError) throw new CommandError("BAD", error.message);
      throw error;
    }
    if (value.partial?.length === 2 && value.partial[1] === 0) {
      throw new CommandError("BAD", "FETCH: a partial range of 0 octets");
    }
    return {
      kind: "section",
      name: "BODY",
      section,
      echo: value.section,
      partial: value.partial,
      setsSeen: name === "BODY",
    };
  }
  if (value.partial) throw new CommandError("BAD", "FETCH: <partial> needs a [section]");
  switch (name) {
    case "RFC822":
      return {
        kind: "section",
        name,
        section: { path: [], text: "", fields: [] },
        echo: null,
        setsSeen: true,
      };
    case "RFC822.HEADER":
      return {
        kind: "section",
        name,
        section: { path: [], text: "HEADER", fields: [] },
        echo: null,
        setsSeen: false,
      };
    case "RFC822.TEXT":
      return {
        kind: "section",
        name,
        section: { path: [], text: "TEXT", fields: [] },
        echo: null,
        setsSeen: true,
      };
  }
  if (SIMPLE.includes(name)) return { kind: name as "FLAGS" };
  throw new CommandError("BAD", `FETCH: unknown data item ${JSON.stringify(value.value)}`);
}

/** RFC 3516 4.1: `section-binary` is a part path only ("1.2"), or empty. */
function parseBinaryItem(value: AtomValue, name: string): Item {
  if (name !== "BINARY" && name !== "BINARY.PEEK" && name !== "BINARY.SIZE") {
    throw new CommandError("BAD", `FETCH: ${value.value}[...] is not a data item`);
  }
  const section = value.section!;
  const spec = section.length === 1 ? textOf(section[0]) : section.length === 0 ? "" : null;
  if (
    spec === null || section[0]?.type === "list" || !/^(?:[1-9]\d*(?:\.[1-9]\d*)*)?$/.test(spec)
  ) {
    throw new CommandError("BAD", `FETCH: ${value.value}[...] takes a part number only`);
  }
  if (name === "BINARY.SIZE" && value.partial) {
    throw new CommandError("BAD", "FETCH: BINARY.SIZE takes no <partial>");
  }
  if (value.partial?.length === 2 && value.partial[1] === 0) {
    throw new CommandError("BAD", "FETCH: a partial range of 0 octets");
  }
  return {
    kind: "binary",
    path: spec ? spec.split(".").map(Number) : [],
    size: name === "BINARY.SIZE",
    echo: section,
    partial: value.partial,
    setsSeen: name === "BINARY",
  };
}

/** Parse FETCH's item argument: a macro, one item, or a list (RFC 3501 6.4.5). */
export function parseFetchItems(value: ImapValue | undefined): Item[] {
  if (!value) throw new CommandError("BAD", "FETCH expects a sequence set and data items");
  const word = value.type === "atom" && !value.section ? value.value.toUpperCase() : "";
  if (MACROS[word]) return MACROS[word].map((w) => parseItem(atom(w)));
  if (value.type === "list") {
    if (!value.items.length) throw new CommandError("BAD", "FETCH: empty list of data items");
    return value.items.map(parseItem);
  }
  return [parseItem(value)];
}

/** Parse a sequence set argument, or BAD. */
export function sequenceArg(value: ImapValue | undefined) {
  const text = textOf(value);
  if (value?.type !== "atom" || text === null) {
    throw new CommandError("BAD", "Expected a sequence set");
  }
  try {
    return parseSequenceSet(text);
  } catch (error) {
    if (error instanceof SequenceSetError) throw new CommandError("BAD", error.message);
    throw error;
  }
}

function sliceFor(bytes: Uint8Array, partial?: [number] | [number, number]): Uint8Array {
  if (!partial) return bytes;
  const start = Math.min(partial[0], bytes.length);
  const end = partial.length === 2 ? Math.min(bytes.length, start + partial[1]) : bytes.length;
  return bytes.subarray(start, end);
}

/** Fetch items for the messages named by `uids`, answering one `* n FETCH (...)` each. */
export async function fetchMessages(
  session: Session,
  uids: readonly number[],
  items: Item[],
  withUid: boolean,
): Promise<void> {
  const selected = session.selected!;
  const shared = selected.shared;
  // RFC 7162 3.2.4: with QRESYNC on, every FETCH response names the UID.
  if ((withUid || qresyncOn(session)) && !items.some((i) => i.kind === "UID")) {
    items = [{ kind: "UID" }, ...items];
  }
  const setsSeen = !selected.readOnly &&
    items.some((i) => (i.kind === "section" || i.kind === "binary") && i.setsSeen);
  const needsContent = items.some((i) =>
    i.kind === "section" || i.kind === "binary" || i.kind === "ENVELOPE" ||
    i.kind === "BODYSTRUCTURE" || i.kind === "BODY"
  );
  // RFC 3501 6.4.5: fetching a body sets \Seen. One change for every message named, not
  // one per message: each change waits for a commit to disk (mailbox.ts).
  const seen = new Set(
    setsSeen
      ? await shared.setFlags(
        uids.filter((uid) => shared.byUid.get(uid)?.letters.includes("S") === false),
        "+",
        ["\\Seen"],
      )
      : [],
  );
  for (const uid of uids) {
    const record = shared.byUid.get(uid);
    if (!record) continue; // expunged by another session; its EXPUNGE comes later
    let message: LoadedMessage | null = null;
    if (needsContent) {
      message = await shared.load(uid);
      if (!message) continue;
    }
    const flagsChanged = seen.has(uid);
    const out: ImapValue[] = [];
    for (const item of items) {
      switch (item.kind) {
        case "UID":
          out.push(atom("UID"), atom(uid));
          break;
        case "FLAGS":
          out.push(atom("FLAGS"), list(...selected.flagsOf(uid).map((f) => atom(f))));
          break;
        case "MODSEQ":
          out.push(...modseqItem(shared.byUid.get(uid) ?? record));
          break;
        case "INTERNALDATE":
          out.push(atom("INTERNALDATE"), str(formatDateTime(record.internalDate)));
          break;
        case "RFC822.SIZE":
          out.push(atom("RFC822.SIZE"), atom(await shared.wireSize(record)));
          break;
        case "ENVELOPE":
          out.push(atom("ENVELOPE"), envelope(message!.bytes, message!.mime));
          break;
        case "BODYSTRUCTURE":
        case "BODY":
          out.push(
            atom(item.kind),
            bodyStructure(message!.bytes, message!.mime, item.kind === "BODYSTRUCTURE"),
          );
          break;
        case "binary": {
          const decoded = binaryPart(message!.bytes, message!.mime, item.path);
          if (item.size) {
            out.push({ type: "atom", value: "BINARY.SIZE", section: item.echo });
            out.push(atom(decoded?.length ?? 0));
            break;
          }
          const name: AtomValue = { type: "atom", value: "BINARY", section: item.echo };
          if (item.partial) name.partial = [item.partial[0]];
          const octets = decoded && sliceFor(decoded, item.partial);
          out.push(name, octets === null ? NIL : literal(octets, hasNul(octets)));
          break;
        }
        case "section": {
          const bytes = sectionBytes(message!.bytes, message!.mime, item.section);
          if (item.echo) {
            const name: AtomValue = { type: "atom", value: "BODY", section: item.echo };
            // RFC 3501 7.4.2: the response names only the origin of a partial range.
            if (item.partial) name.partial = [item.partial[0]];
            out.push(name, bytes === null ? NIL : literal(sliceFor(bytes, item.partial)));
          } else {
            out.push(atom(item.name), bytes === null ? NIL : literal(bytes));
          }
        }
      }
    }
    if (flagsChanged) {
      // RFC 3501 6.4.5: a \Seen set by FETCH is reported, with the FLAGS item (and the
      // new MODSEQ with CONDSTORE on, RFC 7162 3.1.4.2).
      selected.told.set(uid, shared.byUid.get(uid)?.letters ?? "");
      if (!items.some((i) => i.kind === "FLAGS")) {
        out.push(atom("FLAGS"), list(...selected.flagsOf(uid).map((f) => atom(f))));
      }
      if (condstoreOn(session) && !items.some((i) => i.kind === "MODSEQ")) {
        out.push(...modseqItem(shared.byUid.get(uid) ?? record));
      }
    }
    session.send([atom("*"), atom(selected.seqOf(uid)), atom("FETCH"), list(...out)]);
    await session.flushIfLarge();
  }
}

/**
 * The FETCH modifiers (RFC 4466 2.4): `CHANGEDSINCE n` (RFC 7162 3.1.4.1) and, for UID
 * FETCH with QRESYNC on, `VANISHED` (RFC 7162 3.2.6), or BAD.
 */
function fetchModifiers(
  session: Session,
  command: Command,
): { changedSince?: number; vanished: boolean } {
  const out: { changedSince?: number; vanished: boolean } = { vanished: false };
  const value = command.args[2];
  if (!value) return out;
  if (value.type !== "list") throw new CommandError("BAD", "FETCH modifiers must be a list");
  for (let i = 0; i < value.items.length; i++) {
    const item = value.items[i];
    if (isAtom(item, "CHANGEDSINCE")) {
      out.changedSince = modseqArg(value.items[++i], "CHANGEDSINCE", true);
    } else if (isAtom(item, "VANISHED") && command.uid && qresyncOn(session)) {
      out.vanished = true;
    } else {
      throw new CommandError("BAD", `Unknown FETCH modifier ${JSON.stringify(textOf(item))}`);
    }
  }
  if (out.vanished && out.changedSince === undefined) {
    throw new CommandError("BAD", "VANISHED needs CHANGEDSINCE (RFC 7162 3.2.6)");
  }
  return out;
}

/** RFC 3501 6.4.5 and 6.4.8, with RFC 7162's MODSEQ item and modifiers. */
export const FETCH: CommandHandler = {
  states: [STATE.Selected],
  uid: true,
  async run(session: Session, command: Command) {
    if (command.args.length !== 2 && command.args.length !== 3) {
      throw new CommandError("BAD", "FETCH expects a sequence set, data items and modifiers");
    }
    const set = sequenceArg(command.args[0]);
    let items = parseFetchItems(command.args[1]);
    const modifiers = fetchModifiers(session, command);
    const selected = session.selected!;
    if (!command.uid && selected.outOfRange(set)) {
      // RFC 9051 6.4.5 and Dovecot: a sequence number past the end is BAD.
      throw new CommandError("BAD", "FETCH: message sequence number out of range");
    }
    // RFC 7162 3.1: MODSEQ and CHANGEDSINCE are CONDSTORE enabling.
    if (items.some((i) => i.kind === "MODSEQ") || modifiers.changedSince !== undefined) {
      enableCondstore(session);
    }
    let uids = selected.resolve(set, command.uid);
    const since = modifiers.changedSince;
    if (since !== undefined) {
      if (modifiers.vanished) {
        // RFC 7162 3.2.6: the named UIDs expunged since, before the FETCH responses.
        const vanished = vanishedUids(selected, since, set);
        if (vanished.length) {
          session.sendText(`* VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
        }
      }
      // RFC 7162 3.1.4.1: only messages changed since, and their MODSEQ with them.
      uids = uids.filter((uid) => (selected.shared.byUid.get(uid)?.modseq ?? 0) > since);
      if (!items.some((i) => i.kind === "MODSEQ")) items = [...items, { kind: "MODSEQ" }];
    }
    await fetchMessages(session, uids, items, command.uid);
  },
};
