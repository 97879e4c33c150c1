/**
 * FETCH ENVELOPE (RFC 3501 7.4.2): the header fields a client lists mail by, parsed on
 * the server so the client does not have to download the header.
 *
 * @module
 */

import { fieldValue, findFields, type MimeEntity } from "../mail/mod.ts";
import { type ImapValue, list, NIL, nstr } from "./values.ts";

/** One address as the envelope carries it: (name adl mailbox host). */
export interface EnvelopeAddress {
  name: string | null;
  /** The obsolete source route ("@relay1,@relay2"), RFC 3501 7.4.2's `adl`; usually absent. */
  adl?: string | null;
  mailbox: string | null;
  host: string | null;
  /** Set on group start markers (RFC 3501 7.4.2: mailbox = group name, host = NIL). */
  group?: "start" | "end";
}

/** A lexical token of an address header (RFC 5322 3.2): comments are kept apart. */
type Token =
  | { kind: "atom" | "quoted" | "literal" | "comment"; text: string }
  | { kind: "special"; text: string };

const SPECIALS = "<>@,;:.";

/**
 * Split an address header into atoms, quoted strings, domain literals, specials and
 * comments (RFC 5322 3.2.2 CFWS, 3.2.4 quoted-string, 3.4.1 domain-literal). Comments
 * nest and may sit anywhere, even inside an address (`<user (c)@ (c) host>`): they are
 * tokens of their own so they never leak into a mailbox or host.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === ")") {
      i++; // white space, or a ")" that closes no comment (ignored, as a reader would)
    } else if (c === "(") {
      let depth = 0, out = "";
      for (; i < text.length; i++) {
        const d = text[i];
        if (d === "\\") {
          out += text[++i] ?? "";
          continue;
        }
        if (d === "(" && depth++ === 0) continue;
        if (d === ")" && --depth === 0) break;
        out += d;
      }
      i++;
      tokens.push({ kind: "comment", text: out.trim() });
    } else if (c === '"') {
      let out = "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        out += text[i] === "\\" ? (text[++i] ?? "") : text[i];
      }
      i++;
      tokens.push({ kind: "quoted", text: out });
    } else if (c === "[") {
      const end = text.indexOf("]", i);
      const stop = end < 0 ? text.length : end + 1;
      tokens.push({ kind: "literal", text: text.slice(i, stop) });
      i = stop;
    } else if (SPECIALS.includes(c)) {
      tokens.push({ kind: "special", text: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !` \t\r\n()"[${SPECIALS}`.includes(text[j])) j++;
      tokens.push({ kind: "atom", text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** Words of a display name, joined by single spaces (RFC 5322 3.2.5 phrase). */
function phrase(tokens: Token[]): string | null {
  let out = "";
  for (const t of tokens) {
    if (t.kind === "comment") continue;
    if (t.kind === "special" && t.text === ".") out += ".";
    else out += (out && !out.endsWith(".") ? " " : "") + t.text;
  }
  return out || null;
}

/** `local@domain` from tokens (comments already dropped), as mailbox and host. */
function addrSpec(tokens: Token[]): { mailbox: string | null; host: string | null } {
  const at = tokens.findLastIndex((t) => t.kind === "special" && t.text === "@");
  const join = (part: Token[]) => part.map((t) => t.text).join("") || null;
  return at < 0
    ? { mailbox: join(tokens), host: null }
    : { mailbox: join(tokens.slice(0, at)), host: join(tokens.slice(at + 1)) };
}

/** One mailbox (RFC 5322 3.4): `name <addr>` or `addr (comment)`; null when empty. */
function mailbox(tokens: Token[]): EnvelopeAddress | null {
  const words = tokens.filter((t) => t.kind !== "comment");
  if (!words.length) return null; // only comments: no address at all
  const open = words.findIndex((t) => t.kind === "special" && t.text === "<");
  if (open >= 0) {
    let close = words.findIndex((t, i) => i > open && t.kind === "special" && t.text === ">");
    if (close < 0) close = words.length;
    let inner = words.slice(open + 1, close);
    let adl: string | null = null;
    const colon = inner.findIndex((t) => t.kind === "special" && t.text === ":");
    if (colon >= 0) {
      // obs-route (RFC 5322 4.4): "<@relay:user@host>"
      adl = inner.slice(0, colon).map((t) => t.text).join("") || null;
      inner = inner.slice(colon + 1);
    }
    const spec = addrSpec(inner);
    return { name: phrase(words.slice(0, open)), ...(adl ? { adl } : {}), ...spec };
  }
  // No angle brackets: a bare address, whose comment (if any) serves as its name.
  const comment = tokens.findLast((t) => t.kind === "comment" && t.text);
  return { name: comment?.text ?? null, ...addrSpec(words) };
}

/**
 * Parse an address list (RFC 5322 3.4), groups included; comments are dropped (or, after
 * a bare address, become its name, as mail programs show them).
 *
 * @example
 * ```ts
 * import { parseAddressList } from "./envelope.ts";
 * const [a, b] = parseAddressList('"Doe, Jane" <jane@example.org>, bob@example.net');
 * if (a.name !== "Doe, Jane" || b.host !== "example.net") throw new Error("unexpected");
 * const [c] = parseAddressList("<user (c)@ (c) example.org>");
 * if (c.mailbox !== "user" || c.host !== "example.org") throw new Error("unexpected");
 * ```
 */
export function parseAddressList(text: string): EnvelopeAddress[] {
  const tokens = tokenize(text);
  const out: EnvelopeAddress[] = [];
  let inGroup = false;
  let start = 0, angle = false;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind === "special" && t.text === "<") angle = true;
    if (t?.kind === "special" && t.text === ">") angle = false;
    const special = t?.kind === "special" && !angle ? t.text : null;
    const end = t === undefined;
    if (!end && special !== "," && special !== ";" && !(special === ":" && !inGroup)) continue;
    const segment = tokens.slice(start, i);
    start = i + 1;
    if (special === ":") {
      // RFC 3501 7.4.2: a group starts with (NIL NIL name NIL) and ends with (NIL NIL NIL NIL).
      out.push({ name: null, mailbox: phrase(segment), host: null, group: "start" });
      inGroup = true;
      continue;
    }
    const address = mailbox(segment);
    if (address) out.push(address);
    if ((special === ";" || end) && inGroup) {
      out.push({ name: null, mailbox: null, host: null, group: "end" });
      inGroup = false;
    }
  }
  return out;
}

/** The fields an envelope is made of (RFC 3501 7.4.2), lower case. */
const ENVELOPE_FIELDS = [
  "date",
  "subject",
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "in-reply-to",
  "message-id",
];

/** An address list for the envelope, NIL when the header is absent or holds no address. */
function addressesValue(values: Map<string, string>, name: string, fallback?: string): ImapValue {
  const raw = values.get(name);
  const addresses = raw === undefined ? [] : parseAddressList(raw);
  // RFC 3501 7.4.2: Sender and Reply-To absent *or empty* take the From value.
  if (!addresses.length) return fallback ? addressesValue(values, fallback) : NIL;
  return list(
    ...addresses.map((a) => list(nstr(a.name), nstr(a.adl), nstr(a.mailbox), nstr(a.host))),
  );
}

/**
 * The ENVELOPE of a message: (date subject from sender reply-to to cc bcc in-reply-to
 * message-id). Sender and Reply-To default to From, as RFC 3501 7.4.2 requires. One walk
 * over the header picks the ten fields; the others are neither decoded nor kept.
 */
export function envelope(bytes: Uint8Array, message: MimeEntity): ImapValue {
  const values = new Map<string, string>();
  for (const [name, field] of findFields(bytes, message.header, ENVELOPE_FIELDS)) {
    values.set(name, fieldValue(bytes, field));
  }
  const text = (name: string) => nstr(values.get(name) ?? null);
  return list(
    text("date"),
    text("subject"),
    addressesValue(values, "from"),
    addressesValue(values, "sender", "from"),
    addressesValue(values, "reply-to", "from"),
    addressesValue(values, "to"),
    addressesValue(values, "cc"),
    addressesValue(values, "bcc"),
    text("in-reply-to"),
    text("message-id"),
  );
}
