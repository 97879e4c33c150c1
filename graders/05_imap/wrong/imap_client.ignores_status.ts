/**
 * Wrong answer: treats every tagged completion as success, NO and BAD included.
 *
 * @module
 */

import {
  connectLoopback,
  LineReader,
  LineWriter,
  TimeoutError,
  withTimeout,
} from "../../../lib/net/mod.ts";

/** Options for {@linkcode fetchHeaderAndPart}. */
export interface FetchOptions {
  /** Deadline for connecting and for each response, in ms. */
  timeoutMs: number;
}

/** What came back. */
export interface HeaderAndPart {
  /** The message's header, blank line included (BODY[HEADER]). */
  header: Uint8Array;
  /** The part's octets, as stored (still base64 if it was sent so). */
  part: Uint8Array;
}

/** One response as read off the wire: its text lines and the literals between them. */
export interface RawResponse {
  /** Lines without CRLF; each line but the last ends with `{n}`. */
  lines: string[];
  /** The literals' octets, in order. */
  literals: Uint8Array[];
}

const LITERAL_AT_END = /\{(\d+)\}$/;

/** Read one whole response (lines and literals); null when the server closed first. */
export async function readResponse(reader: LineReader): Promise<RawResponse | null> {
  const response: RawResponse = { lines: [], literals: [] };
  while (true) {
    const line = await reader.readLine();
    if (line === null) {
      if (response.lines.length === 0) return null;
      throw new Error("Cannot read response: the server closed the connection mid-response");
    }
    response.lines.push(line.text);
    const literal = LITERAL_AT_END.exec(line.text);
    if (!literal) return response;
    const size = Number(literal[1]);
    if (size > 64 * 1024 * 1024) throw new Error(`Cannot read a literal of ${size} octets`);
    const bytes = await reader.readBytes(size);
    if (bytes === null) {
      throw new Error(`Cannot read response: the connection closed inside a ${size}-octet literal`);
    }
    response.literals.push(bytes);
  }
}

/**
 * The data that follows `name` (e.g. "BODY[HEADER]") in a FETCH response: a literal, a
 * quoted string, or NIL (an empty part). Undefined when the name is not there.
 */
function itemAfter(response: RawResponse, name: string): Uint8Array | undefined {
  const wanted = name.toUpperCase();
  for (let i = 0; i < response.lines.length; i++) {
    const line = response.lines[i];
    const upper = line.toUpperCase();
    let at = upper.indexOf(wanted + " ");
    while (at >= 0) {
      const rest = line.slice(at + wanted.length + 1);
      if (LITERAL_AT_END.test(rest) && /^\{\d+\}$/.test(rest)) return response.literals[i];
      const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (quoted) return new TextEncoder().encode(quoted[1].replace(/\\(.)/g, "$1"));
      if (/^NIL\b/i.test(rest)) return new Uint8Array();
      at = upper.indexOf(wanted + " ", at + 1);
    }
  }
  return undefined;
}

/** Fetch the header and part `part` ("1", "2", "1.2"...) of the message with UID `uid`. */
export async function fetchHeaderAndPart(
  port: number,
  user: string,
  password: string,
  uid: number,
  part: string,
  options: FetchOptions,
): Promise<HeaderAndPart> {
  if (!/^\d+(\.\d+)*$/.test(part)) throw new Error(`Cannot fetch part ${JSON.stringify(part)}`);
  const quote = (text: string) => {
    if (/[\r\n]/.test(text)) throw new Error("Cannot send CR or LF in a quoted string");
    return `"${text.replace(/["\\]/g, "\\$&")}"`;
  };
  const conn = await connectLoopback(port, { timeoutMs: options.timeoutMs });
  try {
    const reader = new LineReader(conn, { maxLineLength: 65536 });
    const writer = new LineWriter(conn);
    const next = async (what: string): Promise<RawResponse> => {
      const reading = readResponse(reader);
      reading.catch(() => {}); // settles after the finally closes the connection
      let response;
      try {
        response = await withTimeout(reading, options.timeoutMs, what);
      } catch (error) {
        if (error instanceof TimeoutError) throw new Error(`${error.message} (timed out)`);
        throw error;
      }
      if (response === null) {
        throw new Error(`Cannot read ${what}: the server closed the connection`);
      }
      return response;
    };
    let tags = 0;
    const command = async (text: string): Promise<RawResponse[]> => {
      const tag = `a${++tags}`;
      await writer.writeLine(`${tag} ${text}`);
      const untagged: RawResponse[] = [];
      while (true) {
        const response = await next(`the reply to ${text.split(" ")[0]}`);
        const first = response.lines[0];
        if (first.startsWith(`${tag} `)) {
          const status = first.slice(tag.length + 1).split(" ")[0].toUpperCase();
          void status;
          return untagged;
        }
        if (first.startsWith("* BYE")) throw new Error(`The server said goodbye: ${first}`);
        untagged.push(response);
      }
    };
    const greeting = (await next("the greeting")).lines[0];
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
      throw new Error(`The server refused us: ${greeting}`);
    }
    await command(`LOGIN ${quote(user)} ${quote(password)}`);
    await command("EXAMINE INBOX");
    const untagged = await command(`UID FETCH ${uid} (BODY.PEEK[HEADER] BODY.PEEK[${part}])`);
    let found: HeaderAndPart | undefined;
    for (const response of untagged) {
      if (!/^\* \d+ FETCH /i.test(response.lines[0])) continue;
      if (!new RegExp(`[( ]UID ${uid}[ )]`, "i").test(response.lines.join(" "))) continue;
      const header = itemAfter(response, "BODY[HEADER]");
      const body = itemAfter(response, `BODY[${part}]`);
      if (header && body) found = { header, part: body };
    }
    await command("LOGOUT").catch(() => {}); // the data is in; a lost goodbye changes nothing
    if (!found) throw new Error(`No message with UID ${uid} and part ${part} in INBOX`);
    return found;
  } finally {
    conn.close();
  }
}
