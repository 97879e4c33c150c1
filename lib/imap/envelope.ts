/**
 * FETCH ENVELOPE (RFC 3501 7.4.2): the header fields a client lists mail by, parsed on
 * the server so the client does not have to download the header.
 *
 * @module
 */

import { headerValue, type MimePart } from "./mime.ts";
import { type ImapValue, list, NIL, nstr } from "./values.ts";

/** One address as the envelope carries it: (name adl mailbox host). */
export interface EnvelopeAddress {
  name: string | null;
  mailbox: string | null;
  host: string | null;
  /** Set on group start markers (RFC 3501 7.4.2: mailbox = group name, host = NIL). */
  group?: "start" | "end";
}

/** Split on a character outside quotes, angle brackets and comments. */
function splitTop(text: string, separator: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, angle = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === "<") angle = true;
    else if (c === ">") angle = false;
    else if (c === separator && depth === 0 && !angle) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    return t.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return t;
}

function single(text: string): EnvelopeAddress | null {
  const t = text.trim();
  if (!t) return null;
  const angle = /<([^>]*)>/.exec(t);
  let spec: string, name: string | null = null;
  if (angle) {
    spec = angle[1].trim();
    const display = unquote(t.slice(0, angle.index).trim());
    name = display || null;
  } else {
    const comment = /\(([^)]*)\)/.exec(t);
    spec = t.replace(/\([^)]*\)/g, "").trim();
    if (comment && comment[1].trim()) name = comment[1].trim();
  }
  const at = spec.lastIndexOf("@");
  return at < 0
    ? { name, mailbox: spec || null, host: null }
    : { name, mailbox: spec.slice(0, at), host: spec.slice(at + 1) };
}

/**
 * Parse an address list (RFC 5322 3.4), groups included.
 *
 * @example
 * ```ts
 * import { parseAddressList } from "./envelope.ts";
 * const [a, b] = parseAddressList('"Doe, Jane" <jane@example.org>, bob@example.net');
 * if (a.name !== "Doe, Jane" || b.host !== "example.net") throw new Error("unexpected");
 * ```
 */
export function parseAddressList(text: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  for (const item of splitTop(text, ",")) {
    const colon = splitTop(item, ":");
    if (colon.length > 1 && !item.trim().startsWith("<")) {
      // group: "name: a, b;" — the members were split on commas already; rebuild.
      out.push({ name: null, mailbox: unquote(colon[0]), host: null, group: "start" });
      const rest = colon.slice(1).join(":").replace(/;\s*$/, "");
      const member = single(rest);
      if (member) out.push(member);
      if (/;\s*$/.test(item)) out.push({ name: null, mailbox: null, host: null, group: "end" });
      continue;
    }
    const ended = /;\s*$/.test(item);
    const a = single(item.replace(/;\s*$/, ""));
    if (a) out.push(a);
    if (ended) out.push({ name: null, mailbox: null, host: null, group: "end" });
  }
  return out;
}

function addressesValue(part: MimePart, name: string, fallback?: string): ImapValue {
  const raw = headerValue(part, name) ?? (fallback ? headerValue(part, fallback) : null);
  if (raw === null) return NIL;
  const addresses = parseAddressList(raw);
  if (!addresses.length) return NIL;
  return list(
    ...addresses.map((a) => list(nstr(a.name), NIL, nstr(a.mailbox), nstr(a.host))),
  );
}

/**
 * The ENVELOPE of a message: (date subject from sender reply-to to cc bcc in-reply-to
 * message-id). Sender and Reply-To default to From, as RFC 3501 7.4.2 requires.
 */
export function envelope(message: MimePart): ImapValue {
  return list(
    nstr(headerValue(message, "Date")),
    nstr(headerValue(message, "Subject")),
    addressesValue(message, "From"),
    addressesValue(message, "Sender", "From"),
    addressesValue(message, "Reply-To", "From"),
    addressesValue(message, "To"),
    addressesValue(message, "Cc"),
    addressesValue(message, "Bcc"),
    nstr(headerValue(message, "In-Reply-To")),
    nstr(headerValue(message, "Message-ID")),
  );
}

/**
 * Decode RFC 2047 encoded-words ("=?UTF-8?B?5Lit5paH?="), for SEARCH matching.
 *
 * @example
 * ```ts
 * import { decodeWords } from "./envelope.ts";
 * if (decodeWords("=?UTF-8?B?5Lit5paH?= mail") !== "中文 mail") throw new Error("unexpected");
 * ```
 */
export function decodeWords(text: string): string {
  return text
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1") // spaces between words vanish
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (whole, charset: string, enc: string, data: string) => {
        try {
          let bytes: Uint8Array;
          if (enc.toUpperCase() === "B") {
            bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          } else {
            const s = data.replace(/_/g, " ").replace(
              /=([0-9A-Fa-f]{2})/g,
              (_, h) => String.fromCharCode(parseInt(h, 16)),
            );
            bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
          }
          return new TextDecoder(charset.split("*")[0]).decode(bytes);
        } catch {
          return whole;
        }
      },
    );
}
