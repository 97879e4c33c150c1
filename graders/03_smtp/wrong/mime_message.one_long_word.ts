/**
 * Wrong: puts the whole subject into one encoded word, however long.
 *
 * @module
 */

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

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Longest UTF-8 run per encoded word: "=?UTF-8?B?" + 52 base64 + "?=" is 64 characters. */
const WORD_BYTES = 100_000;

/** The Subject field's value: as it is when plain ASCII, else folded encoded words. */
export function encodeSubject(subject: string): string {
  if (/^[\x20-\x7e]*$/.test(subject) && !subject.includes("=?") && subject.length <= 67) {
    return subject;
  }
  const words: string[] = [];
  let chunk: number[] = [];
  for (const character of subject) { // by code point: a character is never split
    const bytes = encoder.encode(character);
    if (chunk.length + bytes.length > WORD_BYTES) {
      words.push(`=?UTF-8?B?${base64(new Uint8Array(chunk))}?=`);
      chunk = [];
    }
    chunk.push(...bytes);
  }
  if (chunk.length || words.length === 0) {
    words.push(`=?UTF-8?B?${base64(new Uint8Array(chunk))}?=`);
  }
  return words.join("\r\n ");
}

/** Base64 in lines of 76 characters (RFC 2045 6.8). */
function base64Lines(bytes: Uint8Array): string[] {
  return base64(bytes).match(/.{1,76}/g) ?? [];
}

/** The whole message, CRLF line endings, 7-bit clean. */
export function buildMultipart(letter: Letter): string {
  // "=_" cannot occur in base64 (nor in quoted-printable): the boundary is safe by
  // construction (RFC 2045 6.7 suggests this trick); the random part keeps nesting safe.
  const boundary = `=_part_${crypto.randomUUID().replaceAll("-", "")}`;
  const lines = [
    `From: ${letter.from}`,
    `To: ${letter.to}`,
    `Subject: ${encodeSubject(letter.subject)}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    "This is a multi-part message in MIME format.",
  ];
  for (const part of letter.parts) {
    const text = typeof part.content === "string";
    lines.push(
      `--${boundary}`,
      `Content-Type: ${part.contentType}${text ? "; charset=utf-8" : ""}`,
      "Content-Transfer-Encoding: base64",
    );
    if (part.filename !== undefined) {
      lines.push(`Content-Disposition: attachment; filename="${part.filename}"`);
    }
    const bytes = typeof part.content === "string" ? encoder.encode(part.content) : part.content;
    lines.push("", ...base64Lines(bytes));
  }
  lines.push(`--${boundary}--`, "");
  return lines.join("\r\n");
}
