/**
 * FETCH BODYSTRUCTURE and BODY (RFC 3501 7.4.2, 9 `body`): the MIME tree described as
 * nested lists, so a client can pick one part (an attachment, the text) and FETCH only it.
 *
 * @module
 */

import { envelope } from "./envelope.ts";
import { countLines, headerValue, type MimePart, parseParams } from "./mime.ts";
import { atom, type ImapValue, list, NIL, nstr, str } from "./values.ts";

function paramsList(params: [string, string][]): ImapValue {
  return params.length ? list(...params.flatMap(([n, v]) => [str(n), str(v)])) : NIL;
}

function disposition(part: MimePart): ImapValue {
  const raw = headerValue(part, "Content-Disposition");
  if (!raw) return NIL;
  const { value, params } = parseParams(raw);
  return list(str(value.toLowerCase()), paramsList(params));
}

function language(part: MimePart): ImapValue {
  const raw = headerValue(part, "Content-Language");
  if (!raw) return NIL;
  return list(...raw.split(",").map((l) => str(l.trim())).filter((l) => l.value));
}

/**
 * The BODYSTRUCTURE (extensible: `true`) or BODY (`false`) value of a part.
 *
 * @example
 * ```ts
 * import { bodyStructure } from "./body_structure.ts";
 * import { parseMime } from "./mime.ts";
 * import { compileLine } from "./compiler.ts";
 * const bytes = new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n");
 * const text = new TextDecoder().decode(compileLine([bodyStructure(bytes, parseMime(bytes), false)]));
 * if (text !== '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1)\r\n') throw new Error(text);
 * ```
 */
export function bodyStructure(bytes: Uint8Array, part: MimePart, extensible: boolean): ImapValue {
  if (part.type === "multipart" && part.parts.length) {
    const items = part.parts.map((p) => bodyStructure(bytes, p, extensible));
    items.push(str(part.subtype));
    if (extensible) {
      items.push(
        paramsList(part.params),
        disposition(part),
        language(part),
        nstr(headerValue(part, "Content-Location")),
      );
    }
    return list(...items);
  }
  const type = part.type === "multipart" ? "text" : part.type; // multipart without parts: describe as text
  const encoding = (headerValue(part, "Content-Transfer-Encoding") ?? "7bit").toLowerCase();
  const params = part.params.length || type !== "text"
    ? paramsList(part.params)
    : list(str("charset"), str("us-ascii"));
  const items: ImapValue[] = [
    str(type),
    str(part.type === "multipart" ? "plain" : part.subtype),
    params,
    nstr(headerValue(part, "Content-ID")),
    nstr(headerValue(part, "Content-Description")),
    str(encoding),
    atom(part.bodyEnd - part.bodyStart),
  ];
  if (part.message) {
    // message/rfc822: envelope, body structure and line count of the inner message (7.4.2).
    items.push(envelope(part.message), bodyStructure(bytes, part.message, extensible));
    items.push(atom(countLines(bytes, part.bodyStart, part.bodyEnd)));
  } else if (type === "text") {
    items.push(atom(countLines(bytes, part.bodyStart, part.bodyEnd)));
  }
  if (extensible) {
    items.push(
      nstr(headerValue(part, "Content-MD5")),
      disposition(part),
      language(part),
      nstr(headerValue(part, "Content-Location")),
    );
  }
  return list(...items);
}
