/**
 * Content-Type and Content-Disposition values (RFC 2045 5.1, RFC 2183): a token with
 * `; name=value` parameters, where a value may be quoted, and RFC 2231 lets long or
 * non-ASCII values be split (`name*0=`, `name*1=`) and charset-encoded
 * (`filename*=UTF-8''%E7%AC%94%E8%AE%B0.txt`).
 *
 * @module
 */
import { decodeCharset } from "./charset.ts";
import { decodeWords } from "./encoded_word.ts";

/** A parsed Content-Type: type and subtype lowercase, parameter names lowercase. */
export interface ContentType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

/** A value with parameters: Content-Disposition's `attachment; filename=...`. */
export interface ParameterizedValue {
  value: string;
  params: Record<string, string>;
}

/** RFC 2045 5.2: no Content-Type means `text/plain; charset=us-ascii`. */
export const DEFAULT_CONTENT_TYPE: ContentType = Object.freeze({
  type: "text",
  subtype: "plain",
  params: Object.freeze({ charset: "us-ascii" }) as Record<string, string>,
});

/**
 * Split `value; a=1; b="two"` into the value and its parameters exactly as written
 * (names lower case, quoted strings unquoted, in order; RFC 2231 sections not joined).
 * IMAP's BODYSTRUCTURE reports parameters this way, and a boundary must be taken as
 * written. Never throws.
 *
 * @example
 * ```ts
 * import { splitParameters } from "./content_type.ts";
 * const { value, params } = splitParameters('multipart/mixed; Boundary="a;b"; x=1');
 * if (value !== "multipart/mixed" || params[0][1] !== "a;b" || params[1][0] !== "x") throw new Error();
 * ```
 */
export function splitParameters(header: string): { value: string; params: [string, string][] } {
  const params: [string, string][] = [];
  let i = header.indexOf(";");
  const value = (i < 0 ? header : header.slice(0, i)).trim();
  while (i >= 0 && i < header.length) {
    i++; // past ";"
    const eq = header.indexOf("=", i);
    if (eq < 0) break;
    const name = header.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (header[j] === " " || header[j] === "\t") j++;
    let v = "";
    if (header[j] === '"') {
      j++;
      while (j < header.length && header[j] !== '"') {
        if (header[j] === "\\" && j + 1 < header.length) j++;
        v += header[j++];
      }
      j = header.indexOf(";", j);
    } else {
      const end = header.indexOf(";", j);
      v = (end < 0 ? header.slice(j) : header.slice(j, end)).trim();
      j = end;
    }
    if (name) params.push([name, v]);
    i = j;
  }
  return { value, params };
}

function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...new TextEncoder().encode(text[i]));
    }
  }
  return new Uint8Array(out);
}

/**
 * Parse `value; a=1; b="two"` with RFC 2231 continuations and charsets. Quoted values
 * holding RFC 2047 encoded words (common, though not standard) are decoded too.
 * Never throws.
 */
export function parseParameterized(header: string): ParameterizedValue {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === "\\" && quoted) {
      current += c + (header[++i] ?? "");
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ";" && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  const value = parts.shift()!.replace(/\(.*?\)/g, "").trim();
  // Collect RFC 2231 sections: name*0, name*1*, ... and plain names.
  const sections = new Map<string, { index: number; encoded: boolean; text: string }[]>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const rawName = part.slice(0, eq).trim().toLowerCase();
    let text = part.slice(eq + 1).trim();
    const isQuoted = text.startsWith('"');
    if (isQuoted) text = text.replace(/^"|"$/g, "").replace(/\\(.)/g, "$1");
    const match = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(rawName);
    if (!match) continue;
    const list = sections.get(match[1]) ?? [];
    list.push({ index: Number(match[2] ?? 0), encoded: !!match[3], text });
    sections.set(match[1], list);
  }
  const params: Record<string, string> = {};
  for (const [name, list] of sections) {
    list.sort((a, b) => a.index - b.index);
    const first = list[0];
    if (list.some((s) => s.encoded)) {
      // RFC 2231 4: charset'language'percent-encoded, charset only on the first section.
      const lead = first.encoded ? /^([^']*)'[^']*'(.*)$/s.exec(first.text) : null;
      const charset = lead ? lead[1] : "utf-8";
      const firstText = lead ? lead[2] : first.text;
      const bytes: number[] = [];
      for (const [i, section] of list.entries()) {
        const text = i === 0 ? firstText : section.text;
        bytes.push(...(section.encoded ? percentDecode(text) : new TextEncoder().encode(text)));
      }
      params[name] = decodeCharset(new Uint8Array(bytes), charset || "utf-8");
    } else {
      params[name] = decodeWords(list.map((s) => s.text).join(""));
    }
  }
  return { value, params };
}

/**
 * Parse a Content-Type header value; a missing or broken one gives the RFC 2045 default.
 *
 * @example
 * ```ts
 * import { parseContentType } from "./content_type.ts";
 * const ct = parseContentType('Multipart/Mixed; boundary="=_a b"');
 * if (ct.type !== "multipart" || ct.params.boundary !== "=_a b") throw new Error();
 * ```
 */
export function parseContentType(header: string | undefined): ContentType {
  if (header === undefined) return structuredClone(DEFAULT_CONTENT_TYPE);
  const { value, params } = parseParameterized(header);
  const match = /^([^/\s]+)\s*\/\s*([^/\s]+)$/.exec(value.toLowerCase());
  if (!match) return structuredClone(DEFAULT_CONTENT_TYPE);
  return { type: match[1], subtype: match[2], params };
}

/** RFC 2045 5.1 tspecials and space: a value with any of them must be quoted. */
const NEEDS_QUOTES = /[()<>@,;:\\"/[\]?=\s]/;

/**
 * Format `value; name=param...`, quoting where RFC 2045 requires and using RFC 2231
 * `name*=utf-8''...` for non-ASCII values.
 *
 * @throws {TypeError} a value contains CR or LF.
 */
export function formatParameterized(value: string, params: Record<string, string>): string {
  let out = value;
  for (const [name, param] of Object.entries(params)) {
    if (/[\r\n]/.test(param)) {
      throw new TypeError(`Cannot format parameter ${name}: the value contains CR or LF`);
    }
    if (/[^\x20-\x7e]/.test(param)) {
      out += `; ${name}*=utf-8''${
        encodeURIComponent(param).replace(/['()*]/g, (c) => "%" + c.charCodeAt(0).toString(16))
      }`;
    } else if (param === "" || NEEDS_QUOTES.test(param)) {
      out += `; ${name}="${param.replace(/["\\]/g, "\\$&")}"`;
    } else {
      out += `; ${name}=${param}`;
    }
  }
  return out;
}
