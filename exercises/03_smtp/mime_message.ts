/**
 * Exercise: a Chinese subject line and a message with attachments, in the forms every
 * mail reader understands.
 *
 * Mail headers are ASCII. A subject such as 一封信 travels as one or more "encoded words"
 * (RFC 2047): `=?charset?encoding?encoded-text?=`. A message with a text and attachments
 * is a MIME multipart message (RFC 2045 for the headers and transfer encodings, RFC 2046
 * section 5.1 for multipart bodies and their boundaries).
 *
 * Write:
 *
 * - `encodeSubject(subject)`: the value that follows `Subject: `. Printable ASCII that
 *   fits on one line and does not look like an encoded word stays as it is; anything
 *   else becomes encoded words. Read
 *   RFC 2047 sections 2, 5 and 6.2: how long may an encoded word be, and a line holding
 *   one (count the "Subject: " in front)? May one character be split between two words?
 *   What happens to the white space between two encoded words when they are decoded?
 *   Fold long subjects over several lines (CRLF followed by a space).
 * - `buildMultipart(letter)`: the whole message: From, To, Subject, MIME-Version, a
 *   multipart/mixed Content-Type with its boundary, then one body part per `letter.parts`
 *   entry, each with its own headers (Content-Type, with a charset for text;
 *   Content-Transfer-Encoding; Content-Disposition with the filename for attachments).
 *   The message must be 7-bit clean (every byte below 128, so any SMTP server takes it),
 *   use CRLF line endings, keep base64 lines within RFC 2045 6.8's limit, and its
 *   boundary must never occur inside a part (RFC 2046 5.1.1).
 *
 * The grader hands your output to a real mail parser (Python's `email` package) and
 * compares what it reads with what you were given, on generated subjects and parts.
 *
 * Check your work with `deno task grade 03_smtp/mime_message`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";

/** One part of the message. */
export interface Part {
  /** The media type: "text/plain", "text/html", "image/png", "application/pdf"... */
  contentType: string;
  /** Text (for text/* types, sent as UTF-8) or bytes. */
  content: string | Uint8Array;
  /** A file name (printable ASCII) makes the part an attachment. */
  filename?: string;
}

/** A letter with several parts. */
export interface Letter {
  from: string;
  to: string;
  subject: string;
  parts: Part[];
}

/** The Subject field's value: as it is when plain ASCII, else folded encoded words. */
export function encodeSubject(subject: string): string {
  // TODO: decide whether encoding is needed; cut the text into encoded words; fold.
  throw todo(`encodeSubject(): encode ${JSON.stringify(subject.slice(0, 20))}`);
}

/** The whole message, CRLF line endings, 7-bit clean. */
export function buildMultipart(letter: Letter): string {
  // TODO: headers, a boundary that cannot clash, then each part with its headers.
  throw todo(`buildMultipart(): build a message with ${letter.parts.length} parts`);
}
