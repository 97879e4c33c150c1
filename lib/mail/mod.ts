/**
 * The Internet message format: RFC 5322 headers, MIME bodies and their encodings.
 *
 * @module
 */
export * from "./address.ts";
export * from "./base64.ts";
export * from "./charset.ts";
export * from "./content_type.ts";
export * from "./date.ts";
export * from "./encoded_word.ts";
export * from "./headers.ts";
export * from "./message.ts";
export * from "./message_id.ts";
export * from "./quoted_printable.ts";
export * from "./scan_message.ts";
export * from "./crlf.ts";
export * from "./bytes.ts";
