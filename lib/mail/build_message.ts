/**
 * Build an Internet message (RFC 5322) with MIME (RFC 2045, 2046): headers, then a
 * plain text body, or multipart/alternative (text and HTML), or multipart/mixed with
 * attachments. Every line ends in CRLF and stays within 998 bytes (RFC 5322 2.1.1);
 * each body gets the lightest transfer encoding that keeps it intact:
 *
 * - 7bit: ASCII text with short lines, sent as is;
 * - 8bit: non-ASCII text with short lines, only when the caller allows it (the server
 *   announced 8BITMIME, RFC 6152);
 * - quoted-printable: mostly ASCII text (readable, a few =XX escapes);
 * - base64: everything else (mostly non-ASCII text such as Chinese, binary files).
 *
 * @module
 */
import { type Address, formatAddress } from "./address.ts";
import { encodeBase64Lines } from "./base64.ts";
import { concatBytes } from "./bytes.ts";
import { formatParameterized } from "./content_type.ts";
import { formatDate } from "./date.ts";
import { encodeHeaderText } from "./encoded_word.ts";
import { foldHeader, LINE_LIMIT } from "./headers.ts";
import { generateMessageId } from "./message_id.ts";
import { encodeQuotedPrintable } from "./quoted_printable.ts";

const encoder = new TextEncoder();

/** A file attached to the message. */
export interface Attachment {
  /** File name shown to the recipient (RFC 2183 filename; RFC 2231-encoded if non-ASCII). */
  filename: string;
  /** The file's bytes, or text (sent as UTF-8). */
  content: Uint8Array | string;
  /** MIME type, default application/octet-stream (text/plain; charset=utf-8 for strings). */
  contentType?: string;
  /** For inline images referenced from HTML as cid:… */
  contentId?: string;
  /** Content-Disposition inline instead of attachment. */
  inline?: boolean;
}

/** What {@linkcode buildMessage} needs. */
export interface MessageOptions {
  from: Address | string;
  to: Address | string | (Address | string)[];
  cc?: Address | string | (Address | string)[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: Attachment[];
  /** Date header; default now. */
  date?: Date;
  /** Message-ID with angle brackets; default a new one at the sender's domain. */
  messageId?: string;
  /**
   * More header fields, in order (e.g. In-Reply-To, X-Mailer). A non-ASCII value is
   * encoded whole as RFC 2047 words, so pass address fields already formatted
   * with {@linkcode formatAddress}.
   */
  headers?: Record<string, string> | [string, string][];
  /** Allow 8bit bodies (the server supports 8BITMIME). Default false: 7-bit clean output. */
  eightBit?: boolean;
  /** Boundary generator, for reproducible output in tests and notebooks. */
  boundary?: (depth: number) => string;
}

/** Fields the builder writes itself; setting them through `headers` is refused. */
const OWN_FIELDS = new Set([
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
]);

interface Part {
  headers: [string, string][];
  body: string | Uint8Array; // already encoded, CRLF line endings
}

/** Text to CRLF lines. */
function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}

/**
 * Pick a transfer encoding for text and encode it. Text is sent as whole lines
 * (RFC 5322 2.3: the body is lines ending in CRLF), so a missing final line break is added.
 */
function textPart(text: string, subtype: string, eightBit: boolean): Part {
  let body = toCrlf(text);
  if (body !== "" && !body.endsWith("\r\n")) body += "\r\n";
  const bytes = encoder.encode(body);
  const longest = Math.max(...body.split("\r\n").map((l) => encoder.encode(l).length));
  let nonAscii = 0;
  for (const b of bytes) if (b > 127) nonAscii++;
  const fitsLines = longest <= LINE_LIMIT.maximum;
  const headers: [string, string][] = [[
    "Content-Type",
    formatParameterized(`text/${subtype}`, { charset: nonAscii ? "utf-8" : "us-ascii" }),
  ]];
  if (fitsLines && nonAscii === 0) {
    return { headers: [...headers, ["Content-Transfer-Encoding", "7bit"]], body };
  }
  if (fitsLines && eightBit) {
    return { headers: [...headers, ["Content-Transfer-Encoding", "8bit"]], body: bytes };
  }
  // Quoted-printable costs 3 characters per non-ASCII byte, base64 4 per 3 bytes overall.
  if (nonAscii * 3 + (bytes.length - nonAscii) <= (bytes.length * 4) / 3) {
    return {
      headers: [...headers, ["Content-Transfer-Encoding", "quoted-printable"]],
      body: encodeQuotedPrintable(bytes),
    };
  }
  return {
    headers: [...headers, ["Content-Transfer-Encoding", "base64"]],
    body: encodeBase64Lines(bytes) + "\r\n",
  };
}

function attachmentPart(attachment: Attachment): Part {
  const isText = typeof attachment.content === "string";
  const bytes = isText ? encoder.encode(attachment.content as string) : attachment.content;
  const type = attachment.contentType ??
    (isText ? "text/plain; charset=utf-8" : "application/octet-stream");
  if (/[\r\n]/.test(type)) throw new TypeError("Cannot build message: content type has CR or LF");
  const headers: [string, string][] = [
    [
      "Content-Type",
      type.includes("name=") ? type : formatParameterized(type, { name: attachment.filename }),
    ],
    ["Content-Transfer-Encoding", "base64"],
    [
      "Content-Disposition",
      formatParameterized(attachment.inline ? "inline" : "attachment", {
        filename: attachment.filename,
      }),
    ],
  ];
  if (attachment.contentId) {
    headers.push(["Content-ID", `<${attachment.contentId.replace(/^<|>$/g, "")}>`]);
  }
  return { headers, body: encodeBase64Lines(bytes as Uint8Array) + "\r\n" };
}

function randomBoundary(depth: number): string {
  const random = [...crypto.getRandomValues(new Uint8Array(12))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  return `=_part${depth}_${random}`;
}

/** Serialize a part's header and body. */
function serialize(part: Part): Uint8Array[] {
  const head = part.headers.map(([n, v]) => foldHeader(n, v) + "\r\n").join("") + "\r\n";
  const body = typeof part.body === "string" ? encoder.encode(part.body) : part.body;
  return [encoder.encode(head), body];
}

/**
 * RFC 2046 5.1.1: body parts, each preceded by CRLF "--" boundary, closed by
 * CRLF "--" boundary "--". The boundary must not occur in any part: "=_" cannot appear
 * in base64 or quoted-printable output, and 7bit bodies are checked.
 */
function multipart(subtype: string, parts: Part[], boundaryFor: () => string): Part {
  const chunks = parts.map(serialize);
  let boundary = boundaryFor();
  const decoder = new TextDecoder();
  while (chunks.some(([, body]) => decoder.decode(body).includes(`--${boundary}`))) {
    boundary = randomBoundary(0);
  }
  const out: Uint8Array[] = [];
  for (const [head, body] of chunks) {
    out.push(encoder.encode(`--${boundary}\r\n`), head, body, encoder.encode("\r\n"));
  }
  out.push(encoder.encode(`--${boundary}--\r\n`));
  return {
    headers: [["Content-Type", formatParameterized(`multipart/${subtype}`, { boundary })]],
    body: concatBytes(out),
  };
}

function addressList(value: Address | string | (Address | string)[]): string {
  return (Array.isArray(value) ? value : [value]).map(formatAddress).join(", ");
}

/**
 * Build a complete message as bytes, ready for SMTP DATA (before dot-stuffing).
 *
 * @throws {TypeError} a header name or value is unsafe (CR/LF injection), an address is
 *   not an addr-spec, or a builder-owned field is passed in `headers`.
 *
 * @example A Chinese subject, sent 7-bit clean
 * ```ts
 * import { buildMessage } from "./build_message.ts";
 * const bytes = buildMessage({
 *   from: { name: "学生", address: "student@example.org" },
 *   to: "teacher@example.org",
 *   subject: "电子邮件协议学习笔记",
 *   text: "你好！\n",
 *   date: new Date("2024-05-01T08:00:00Z"),
 *   messageId: "<1@example.org>",
 * });
 * const text = new TextDecoder().decode(bytes);
 * if (!text.includes("Subject: =?UTF-8?B?55S15a2Q6YKu5Lu25Y2P6K6u5a2m5Lmg56yU6K6w?=")) {
 *   throw new Error(text);
 * }
 * ```
 */
export function buildMessage(options: MessageOptions): Uint8Array {
  let depth = 0;
  const boundaryFor = () => (options.boundary ?? randomBoundary)(depth++);
  const eightBit = options.eightBit ?? false;

  const bodies: Part[] = [];
  if (options.text !== undefined) bodies.push(textPart(options.text, "plain", eightBit));
  if (options.html !== undefined) bodies.push(textPart(options.html, "html", eightBit));
  if (bodies.length === 0) bodies.push(textPart("", "plain", eightBit));
  let root = bodies.length === 1 ? bodies[0] : multipart("alternative", bodies, boundaryFor);
  const attachments = options.attachments ?? [];
  if (attachments.length > 0) {
    root = multipart("mixed", [root, ...attachments.map(attachmentPart)], boundaryFor);
  }

  const from = formatAddress(options.from);
  const domain = (typeof options.from === "string" ? options.from : options.from.address)
    .split("@").pop() || "localhost";
  const headers: [string, string][] = [
    ["Date", formatDate(options.date ?? new Date())],
    ["From", from],
    ["To", addressList(options.to)],
  ];
  if (options.cc !== undefined) headers.push(["Cc", addressList(options.cc)]);
  headers.push(
    ["Subject", encodeHeaderText(options.subject)],
    ["Message-ID", options.messageId ?? generateMessageId(domain)],
  );
  const extra = Array.isArray(options.headers)
    ? options.headers
    : Object.entries(options.headers ?? {});
  for (const [name, value] of extra) {
    if (OWN_FIELDS.has(name.toLowerCase())) {
      throw new TypeError(`Cannot build message: set ${name} through its option, not headers`);
    }
    headers.push([name, encodeHeaderText(value)]);
  }
  headers.push(["MIME-Version", "1.0"], ...root.headers);
  return concatBytes(serialize({ headers, body: root.body }));
}
