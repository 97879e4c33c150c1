/**
 * IMAP URLs (RFC 5092) as CATENATE uses them (RFC 4469 5): a message, or a part of one,
 * on this server, named like `/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2/;PARTIAL=0.100`.
 *
 * @module
 */

/** The parts of an IMAP URL that name message data. */
export interface ImapUrl {
  /** The mailbox, percent-decoded. */
  mailbox: string;
  /** When given, the mailbox must still have this UIDVALIDITY. */
  uidValidity?: number;
  uid: number;
  /** The section as in BODY[...], e.g. "1.2" or "HEADER"; "" for the whole message. */
  section: string;
  /** `;PARTIAL=origin[.length]`. */
  partial?: [number] | [number, number];
}

/** A URL we cannot use: APPEND answers NO [BADURL] (RFC 4469 6). */
export class ImapUrlError extends Error {
  constructor(url: string, reason: string) {
    super(`Cannot use URL ${JSON.stringify(url)}: ${reason}`);
    this.name = "ImapUrlError";
  }
}

/**
 * Parse an absolute (`imap://user@host/...`) or server-relative (`/...`) IMAP URL that
 * names a message (RFC 5092 3, `imessagepart`).
 *
 * @example
 * ```ts
 * import { parseImapUrl } from "./imap_url.ts";
 * const url = parseImapUrl("/Sent%20Mail;UIDVALIDITY=7/;UID=20/;SECTION=1.2");
 * if (url.mailbox !== "Sent Mail" || url.uid !== 20 || url.section !== "1.2") throw new Error("unexpected");
 * ```
 */
export function parseImapUrl(url: string): ImapUrl {
  let path = url;
  const absolute = /^imap:\/\/[^/]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  if (!path.startsWith("/")) throw new ImapUrlError(url, "it names no mailbox");
  const pieces = path.slice(1).split("/");
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new ImapUrlError(url, "bad percent-encoding");
    }
  };
  const [mailboxPart, ...rest] = pieces;
  const [encodedMailbox, ...mailboxParams] = mailboxPart.split(";");
  const result: Partial<ImapUrl> & { section: string } = {
    mailbox: decode(encodedMailbox),
    section: "",
  };
  if (!result.mailbox) throw new ImapUrlError(url, "the mailbox name is empty");
  for (const param of mailboxParams) {
    const m = /^uidvalidity=(\d{1,10})$/i.exec(param);
    if (!m) throw new ImapUrlError(url, `unknown ;${param}`);
    result.uidValidity = Number(m[1]);
  }
  for (const piece of rest) {
    const m = /^;(uid|section|partial)=(.*)$/i.exec(piece);
    if (!m) throw new ImapUrlError(url, `unexpected ${JSON.stringify(piece)}`);
    const value = decode(m[2]);
    switch (m[1].toLowerCase()) {
      case "uid":
        if (!/^[1-9]\d{0,9}$/.test(value)) throw new ImapUrlError(url, "bad UID");
        result.uid = Number(value);
        break;
      case "section":
        result.section = value;
        break;
      case "partial": {
        const p = /^(\d{1,10})(?:\.(\d{1,10}))?$/.exec(value);
        if (!p) throw new ImapUrlError(url, "bad PARTIAL");
        result.partial = p[2] === undefined ? [Number(p[1])] : [Number(p[1]), Number(p[2])];
      }
    }
  }
  if (result.uid === undefined) throw new ImapUrlError(url, "it names no message (;UID=)");
  return result as ImapUrl;
}
