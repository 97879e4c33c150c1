/**
 * The letter that makes the journey: small, but with what trips up mail code on the way
 * (a subject in Chinese as an RFC 2047 encoded word, an 8-bit UTF-8 body, a line that
 * starts with a dot, a long line).
 *
 * @module
 */

import { encodeHeaderText } from "../mail/encoded_word.ts";
import { formatRfc5322Date } from "../smtp/received.ts";

/** Options for {@linkcode sampleMessage}. */
export interface SampleOptions {
  /** The body's lines (CRLF is added). Default: a short letter. */
  body?: string[];
  date?: Date;
  /** Unique part of the Message-ID. Default: the time. */
  id?: string;
}

/**
 * Alice's letter to Bob, CRLF line endings.
 *
 * @example
 * ```ts
 * import { sampleMessage } from "./sample.ts";
 * const m = sampleMessage({ date: new Date(0), id: "x" });
 * if (!m.includes("Subject: =?UTF-8?B?")) throw new Error(m);
 * ```
 */
export function sampleMessage(options: SampleOptions = {}): string {
  const date = options.date ?? new Date();
  const body = options.body ?? [
    "Hi Bob,",
    "",
    "this letter is going to cross five connections on its way to you.",
    ".A line that starts with a dot must survive SMTP and POP3 (dot-stuffing).",
    "一路顺风! (A smooth journey!)",
    "",
    "Alice",
  ];
  return [
    "From: Alice <alice@a.test>",
    "To: Bob <bob@b.test>",
    `Subject: ${encodeHeaderText("一封信的旅程 (a letter's journey)")}`,
    `Date: ${formatRfc5322Date(date)}`,
    `Message-ID: <${options.id ?? date.getTime().toString(36)}.journey@a.test>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    ...body,
  ].map((line) => line + "\r\n").join("");
}
