/**
 * Mailbox addresses in header fields (RFC 5322 section 3.4): the forms real mail uses.
 *
 * - `a@example.org`
 * - `"Display Name" <a@example.org>` or `Display Name <a@example.org>`
 * - `a@example.org (Display Name)`, the old comment form
 * - groups `Team: a@x, b@y;` flattened to their members (each tagged with the group)
 *
 * Display names may be RFC 2047 encoded words; they are decoded here.
 *
 * @module
 */
import { decodeWords, encodeWords, needsEncoding } from "./encoded_word.ts";

/** One mailbox. */
export interface Address {
  /** Display name, decoded ("" when none). */
  name: string;
  /** The addr-spec, `local@domain`. */
  address: string;
  /** The group this mailbox was listed in, if any. */
  group?: string;
}

type Token =
  | { kind: "word"; text: string }
  | { kind: "quoted"; text: string }
  | { kind: "comment"; text: string }
  | { kind: "special"; text: string };

/** Split into words, quoted strings, comments and the specials <>,:;@ */
function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let text = "";
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === "\\" && i + 1 < value.length) i++;
        text += value[i++];
      }
      i++;
      tokens.push({ kind: "quoted", text });
    } else if (c === "(") {
      // Comments nest (RFC 5322 3.2.2).
      let depth = 0;
      let text = "";
      for (; i < value.length; i++) {
        if (value[i] === "\\" && i + 1 < value.length) {
          text += value[++i];
          continue;
        }
        if (value[i] === "(" && depth++ === 0) continue;
        if (value[i] === ")" && --depth === 0) break;
        text += value[i];
      }
      i++;
      tokens.push({ kind: "comment", text });
    } else if ("<>,:;@".includes(c)) {
      tokens.push({ kind: "special", text: c });
      i++;
    } else {
      let text = "";
      while (i < value.length && !/[\s"(<>,:;@]/.test(value[i])) text += value[i++];
      tokens.push({ kind: "word", text });
    }
  }
  return tokens;
}

/** One mailbox from the tokens between two commas. */
function toAddress(tokens: Token[], group?: string): Address | null {
  const open = tokens.findIndex((t) => t.kind === "special" && t.text === "<");
  const comments = tokens.filter((t) => t.kind === "comment").map((t) => t.text.trim());
  const text = (list: Token[]) =>
    list.filter((t) => t.kind !== "comment").map((t) => t.text).join("");
  let name: string;
  let address: string;
  if (open >= 0) {
    const close = tokens.findIndex((t, i) => i > open && t.kind === "special" && t.text === ">");
    // Obsolete routes "<@relay:a@b>" keep only the part after ":".
    address = text(tokens.slice(open + 1, close < 0 ? undefined : close)).replace(/^.*:/, "");
    const phrase = tokens.slice(0, open).filter((t) => t.kind === "word" || t.kind === "quoted");
    name = phrase.map((t) => t.text).join(" ");
  } else {
    address = text(tokens);
    name = comments[0] ?? "";
  }
  address = address.trim();
  if (!address && !name) return null;
  const result: Address = { name: decodeWords(name).trim(), address };
  if (group !== undefined) result.group = group;
  return result;
}

/**
 * Parse an address list (To, Cc, From...). Tolerant: what cannot be understood becomes
 * an address with whatever text was there, so nothing is silently dropped.
 *
 * @example
 * ```ts
 * import { parseAddressList } from "./address.ts";
 * const [a, b] = parseAddressList('"Doe, Jane" <jane@example.org>, bob@example.org');
 * if (a.name !== "Doe, Jane" || a.address !== "jane@example.org") throw new Error();
 * if (b.name !== "" || b.address !== "bob@example.org") throw new Error();
 * ```
 */
export function parseAddressList(value: string): Address[] {
  const tokens = tokenize(value);
  const result: Address[] = [];
  let current: Token[] = [];
  let group: string | undefined;
  let inAngle = false;
  const flush = () => {
    const address = toAddress(current, group);
    if (address) result.push(address);
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === "special" && token.text === "<") inAngle = true;
    if (token.kind === "special" && token.text === ">") inAngle = false;
    if (token.kind === "special" && token.text === "," && !inAngle) {
      flush();
    } else if (token.kind === "special" && token.text === ":" && !inAngle && group === undefined) {
      group = decodeWords(current.map((t) => t.text).join(" ")).trim();
      current = [];
    } else if (token.kind === "special" && token.text === ";" && !inAngle) {
      flush();
      group = undefined;
    } else {
      current.push(token);
    }
  }
  flush();
  return result;
}

/** Characters that force a display name into a quoted string (RFC 5322 3.2.3 specials). */
const SPECIALS = /[()<>[\]:;@\\,."]/;

/**
 * Format one mailbox for a header: `"Name" <a@b>` with quoting when needed, or RFC 2047
 * encoded words for a non-ASCII name (allowed in a phrase by RFC 2047 5(3)).
 *
 * @throws {TypeError} the address or name contains CR, LF or angle brackets in the address.
 *
 * @example
 * ```ts
 * import { formatAddress } from "./address.ts";
 * if (formatAddress({ name: "Doe, Jane", address: "j@x.org" }) !== '"Doe, Jane" <j@x.org>') {
 *   throw new Error();
 * }
 * ```
 */
export function formatAddress(mailbox: Address | string): string {
  const { name, address } = typeof mailbox === "string" ? { name: "", address: mailbox } : mailbox;
  if (/[\r\n<>\s]/.test(address) || !address) {
    throw new TypeError(`Cannot format address ${JSON.stringify(address)}: not an addr-spec`);
  }
  if (/[\r\n]/.test(name)) {
    throw new TypeError(`Cannot format address: the display name contains CR or LF`);
  }
  if (!name) return address;
  if (needsEncoding(name)) return `${encodeWords(name)} <${address}>`;
  if (SPECIALS.test(name)) return `"${name.replace(/["\\]/g, "\\$&")}" <${address}>`;
  return `${name} <${address}>`;
}
