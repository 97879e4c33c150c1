/**
 * Wrong answer: records an id before its message is stored, so a sync cut off half-way loses that message for good.
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
import { Maildir } from "../../../lib/maildir/mod.ts";

/** The file, inside the local Maildir, that lists the ids already downloaded. */
export const STATE_FILE = ".pop3-uidl";

/** Options for {@linkcode syncMaildir}. */
export interface SyncOptions {
  /** Deadline for connecting and for each line, in ms. */
  timeoutMs: number;
}

/** What one sync did. */
export interface SyncResult {
  /** Ids downloaded this time, in listing order. */
  fetched: string[];
  /** Messages on the server that were already here. */
  skipped: number;
}

const CRLF = new Uint8Array([13, 10]);

async function knownIds(path: string): Promise<Set<string>> {
  try {
    return new Set((await Deno.readTextFile(path)).split("\n").filter(Boolean));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Set();
    throw error;
  }
}

/** Download the messages of `user` that `maildir` does not have yet; delete nothing. */
export async function syncMaildir(
  port: number,
  user: string,
  password: string,
  maildir: string,
  options: SyncOptions,
): Promise<SyncResult> {
  const box = await Maildir.open(maildir);
  const statePath = `${maildir}/${STATE_FILE}`;
  const known = await knownIds(statePath);
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
      const match = /^(\d+) ([\x21-\x7e]{1,70})$/.exec(new TextDecoder().decode(l));
      if (!match) throw new Error(`Cannot parse UIDL line: ${new TextDecoder().decode(l)}`);
      return { number: Number(match[1]), uid: match[2] };
    });
    const fetched: string[] = [];
    for (const { number, uid } of listing) {
      if (known.has(uid)) continue;
      await Deno.writeTextFile(statePath, uid + "\n", { append: true });
      await command(`RETR ${number}`);
      const lines = await body(`message ${number}`);
      const message = new Uint8Array(lines.reduce((s, l) => s + l.length + 2, 0));
      let at = 0;
      for (const l of lines) {
        message.set(l, at);
        message.set(CRLF, at + l.length);
        at += l.length + 2;
      }
      await box.deliver(message); // stored (and synced to disk) first...
      known.add(uid);
      fetched.push(uid);
    }
    await command("QUIT");
    return { fetched, skipped: listing.length - fetched.length };
  } finally {
    conn.close();
  }
}
