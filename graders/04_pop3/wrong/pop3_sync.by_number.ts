/**
 * Wrong answer: uses message numbers as ids, so when numbers shift it skips new mail.
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

/** Options for {@linkcode syncNew}. */
export interface SyncOptions {
  /** Deadline for connecting and for each line, in ms. */
  timeoutMs: number;
}

/** A message the caller did not have yet. */
export interface NewMessage {
  /** Its UIDL id. */
  uid: string;
  /** Its bytes, CRLF line ends, stuffing undone. */
  bytes: Uint8Array;
}

/** What one sync found. */
export interface SyncResult {
  /** Messages whose id was not known, in listing order. */
  fetched: NewMessage[];
  /** Known ids the server no longer lists. */
  gone: string[];
  /** Messages on the server that were already known. */
  skipped: number;
}

const CRLF = new Uint8Array([13, 10]);

/** Download the messages of `user` whose UIDL id is not in `known`; delete nothing. */
export async function syncNew(
  port: number,
  user: string,
  password: string,
  known: string[],
  options: SyncOptions,
): Promise<SyncResult> {
  const have = new Set(known);
  const conn = await connectLoopback(port, { timeoutMs: options.timeoutMs });
  try {
    const reader = new LineReader(conn, { maxLineLength: 65536 });
    const writer = new LineWriter(conn);
    const line = async (what: string) => {
      const reading = reader.readLine();
      reading.catch(() => {});
      let got;
      try {
        got = await withTimeout(reading, options.timeoutMs, what);
      } catch (error) {
        if (error instanceof TimeoutError) throw new Error(`${error.message} (timed out)`);
        throw error;
      }
      if (got === null) throw new Error(`Cannot read ${what}: the server closed the connection`);
      return got;
    };
    const status = async (what: string) => {
      const text = (await line(what)).text;
      if (text === "+OK" || text.startsWith("+OK ")) return text.slice(4);
      throw new Error(`${what} failed: ${text}`);
    };
    const command = async (text: string, what = text.split(" ")[0]) => {
      await writer.writeLine(text);
      return await status(what);
    };
    const body = async (what: string): Promise<Uint8Array[]> => {
      const lines: Uint8Array[] = [];
      while (true) {
        const { bytes } = await line(what);
        if (bytes.length === 1 && bytes[0] === 0x2e) return lines;
        lines.push(bytes[0] === 0x2e ? bytes.subarray(1) : bytes);
      }
    };
    await status("the greeting");
    await command(`USER ${user}`);
    await command(`PASS ${password}`, "PASS");
    await command("UIDL");
    const listing = (await body("the UIDL listing")).map((l) => {
      const text = new TextDecoder().decode(l);
      const match = /^(\d+) ([\x21-\x7e]{1,70})$/.exec(text);
      if (!match) throw new Error(`Cannot parse UIDL line: ${JSON.stringify(text)}`);
      return { number: Number(match[1]), uid: match[2] };
    });
    const fetched: NewMessage[] = [];
    for (const { number } of listing) {
      const uid = String(number);
      if (have.has(uid)) continue;
      await command(`RETR ${number}`);
      const lines = await body(`message ${number}`);
      const bytes = new Uint8Array(lines.reduce((s, l) => s + l.length + 2, 0));
      let at = 0;
      for (const l of lines) {
        bytes.set(l, at);
        bytes.set(CRLF, at + l.length);
        at += l.length + 2;
      }
      fetched.push({ uid, bytes });
      have.add(uid); // a server repeating an id (it must not, RFC 1939 7) gets it fetched once
    }
    await command("QUIT");
    const listed = new Set(listing.map((entry) => String(entry.number)));
    return {
      fetched,
      gone: known.filter((uid) => !listed.has(uid)),
      skipped: listing.length - fetched.length,
    };
  } finally {
    conn.close();
  }
}
