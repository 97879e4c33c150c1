/**
 * Trace headers: the `Received:` line every SMTP server prepends (RFC 5321 4.4) and the
 * `Return-Path:` the final delivery adds.
 *
 * Reading the `Received:` lines of a message from the bottom up retraces its route, one
 * line per hop; this is how the relay chain of chapter 3 is made visible.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * An RFC 5322 3.3 date in UTC: `Tue, 1 Jul 2025 09:05:03 +0000`.
 *
 * @example
 * ```ts
 * import { formatRfc5322Date } from "./received.ts";
 * const d = formatRfc5322Date(new Date(Date.UTC(2025, 6, 1, 9, 5, 3)));
 * if (d !== "Tue, 1 Jul 2025 09:05:03 +0000") throw new Error(d);
 * ```
 */
export function formatRfc5322Date(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${
    MONTHS[date.getUTCMonth()]
  } ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** What goes into a Received: line. */
export interface ReceivedInfo {
  /** The name the client gave in EHLO/HELO. */
  helo: string;
  /** The client's IP address. */
  clientAddress: string;
  /** This server's name. */
  by: string;
  /** True after EHLO; adds "ESMTP" (RFC 3848). */
  esmtp: boolean;
  /** True after AUTH; "ESMTPA" (RFC 3848). */
  authenticated: boolean;
  /** A queue id for this message, for cross-referencing logs. */
  id: string;
  /** The recipient, when there is exactly one (RFC 5321 4.4 "for" clause). */
  for?: string;
  date: Date;
}

/**
 * The `Received:` header line, folded, ending with CRLF (RFC 5321 4.4, RFC 5322 3.6.7).
 *
 * @example
 * ```ts
 * import { receivedHeader } from "./received.ts";
 * const h = receivedHeader({ helo: "pc", clientAddress: "127.0.0.1", by: "mx.test", esmtp: true,
 *   authenticated: false, id: "A1", for: "bob@mx.test", date: new Date(0) });
 * if (!h.startsWith("Received: from pc ([127.0.0.1])\r\n\tby mx.test with ESMTP id A1")) throw new Error(h);
 * ```
 */
export function receivedHeader(info: ReceivedInfo): string {
  const protocol = (info.esmtp ? "ESMTP" : "SMTP") + (info.authenticated ? "A" : "");
  const forClause = info.for ? `\r\n\tfor <${info.for}>` : "";
  return `Received: from ${info.helo} ([${info.clientAddress}])\r\n\tby ${info.by} with ${protocol} id ${info.id}` +
    `${forClause};\r\n\t${formatRfc5322Date(info.date)}\r\n`;
}

/** `Return-Path: <sender>` with CRLF, added at final delivery (RFC 5321 4.4). */
export function returnPathHeader(from: string): string {
  return `Return-Path: <${from}>\r\n`;
}

const encoder = new TextEncoder();

/** Prepend header lines (already CRLF-terminated) to a message. */
export function prependHeaders(message: Uint8Array, ...headers: string[]): Uint8Array {
  const head = encoder.encode(headers.join(""));
  const out = new Uint8Array(head.length + message.length);
  out.set(head);
  out.set(message, head.length);
  return out;
}

/** The Received: lines of a message, top (latest hop) first, unfolded. */
export function receivedLines(message: Uint8Array | string): string[] {
  const text = typeof message === "string" ? message : new TextDecoder().decode(message);
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return head.split(/\r?\n/).filter((l) => /^received:/i.test(l)).map((l) =>
    l.replace(/^received:\s*/i, "")
  );
}
