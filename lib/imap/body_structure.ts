/**
 * FETCH BODYSTRUCTURE and BODY (RFC 3501 7.4.2, 9 `body`): the MIME tree described as
 * nested lists, so a client can pick one part (an attachment, the text) and FETCH only it.
 *
 * @module
 */

import {
  countLines,
  fieldValue,
  type MimeEntity,
  type MimeFieldName,
  splitParameters,
} from "../mail/mod.ts";
import { envelope } from "./envelope.ts";
import { atom, type ImapValue, list, NIL, nstr, str } from "./values.ts";

function paramsList(params: [string, string][]): ImapValue {
  return params.length ? list(...params.flatMap(([n, v]) => [str(n), str(v)])) : NIL;
}

/** A MIME field's value (first occurrence), or null. */
function mimeField(bytes: Uint8Array, part: MimeEntity, name: MimeFieldName): string | null {
  const field = part.fields[name];
  return field ? fieldValue(bytes, field) : null;
}

function disposition(bytes: Uint8Array, part: MimeEntity): ImapValue {
  const raw = mimeField(bytes, part, "content-disposition");
  if (!raw) return NIL;
  const { value, params } = splitParameters(raw);
  return list(str(value.toLowerCase()), paramsList(params));
}

function language(bytes: Uint8Array, part: MimeEntity): ImapValue {
  const raw = mimeField(bytes, part, "content-language");
  if (!raw) return NIL;
  return list(...raw.split(",").map((l) => str(l.trim())).filter((l) => l.value));
}

/**
 * The BODYSTRUCTURE (extensible: `true`) or BODY (`false`) value of a part.
 *
 * @example
 * ```ts
 * import { bodyStructure } from "./body_structure.ts";
 * import { scanMessage } from "../mail/mod.ts";
 * import { compileLine } from "./compiler.ts";
 * const bytes = new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n");
 * const text = new TextDecoder().decode(compileLine([bodyStructure(bytes, scanMessage(bytes), false)]));
 * if (text !== '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1)\r\n') throw new Error(text);
 * ```
 */
export function bodyStructure(
  bytes: Uint8Array,
  part: MimeEntity,
  extensible: boolean,
): ImapValue {
  if (part.type === "multipart" && part.parts.length) {
    const items = part.parts.map((p) => bodyStructure(bytes, p, extensible));
    items.push(str(part.subtype));
    if (extensible) {
      items.push(
        paramsList(part.params),
        disposition(bytes, part),
        language(bytes, part),
        nstr(mimeField(bytes, part, "content-location")),
      );
    }
    return list(...items);
  }
  const type = part.type === "multipart" ? "text" : part.type; // multipart without parts: describe as text
  const encoding = (mimeField(bytes, part, "content-transfer-encoding") ?? "7bit").toLowerCase();
  const params = part.params.length || type !== "text"
    ? paramsList(part.params)
    : list(str("charset"), str("us-ascii"));
  const items: ImapValue[] = [
    str(type),
    str(part.type === "multipart" ? "plain" : part.subtype),
    params,
    nstr(mimeField(bytes, part, "content-id")),
    nstr(mimeField(bytes, part, "content-description")),
    str(encoding),
    atom(part.body.end - part.body.start),
  ];
  if (part.message) {
    // message/rfc822: envelope, body structure and line count of the inner message (7.4.2).
    items.push(envelope(bytes, part.message), bodyStructure(bytes, part.message, extensible));
    items.push(atom(countLines(bytes, part.body.start, part.body.end)));
  } else if (type === "text") {
    items.push(atom(countLines(bytes, part.body.start, part.body.end)));
  }
  if (extensible) {
    items.push(
      nstr(mimeField(bytes, part, "content-md5")),
      disposition(bytes, part),
      language(bytes, part),
      nstr(mimeField(bytes, part, "content-location")),
    );
  }
  return list(...items);
}
