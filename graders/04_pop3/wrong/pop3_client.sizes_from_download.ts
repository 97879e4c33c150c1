/**
 * Wrong answer: never sends LIST; gives each message's size as the length of the message
 * it downloaded. Right whenever the server stores CRLF, wrong for a message stored with
 * bare LF ends, whose LIST size (RFC 1939 5: the size on the maildrop) is smaller than
 * the CRLF message RETR sends.
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

/** Options for {@linkcode downloadAll}. */
export interface DownloadOptions {
  /** Deadline for connecting and for each line, in ms. */
  timeoutMs: number;
  /** Mark every downloaded message for deletion (removed at QUIT). Default false. */
  delete?: boolean;
}

/** What the download found. */
export interface Download {
  /** STAT's message count and total size in octets. */
  count: number;
  size: number;
  /** LIST's size of each message, in order (message 1 first). */
  sizes: number[];
  /** Every message, CRLF line ends, stuffing undone. */
  messages: Uint8Array[];
}

/** The server said -ERR (or something that is not a POP3 status line). */
export class Pop3Error extends Error {
  constructor(message: string, readonly response?: string) {
    super(message);
    this.name = "Pop3Error";
  }
}

const CRLF = new Uint8Array([13, 10]);

/** Download every message from the POP3 server on 127.0.0.1:`port`. */
export async function downloadAll(
  port: number,
  user: string,
  password: string,
  options: DownloadOptions,
): Promise<Download> {
  for (const text of [user, password]) {
    if (/[\r\n]/.test(text)) throw new Pop3Error("Cannot log in: CR or LF in the credentials");
  }
  const conn = await connectLoopback(port, { timeoutMs: options.timeoutMs });
  try {
    const reader = new LineReader(conn, { maxLineLength: 65536 });
    const writer = new LineWriter(conn);
    const line = async (what: string) => {
      const reading = reader.readLine();
      reading.catch(() => {}); // settles after the finally closes the connection
      let got;
      try {
        got = await withTimeout(reading, options.timeoutMs, what);
      } catch (error) {
        if (error instanceof TimeoutError) throw new Pop3Error(`${error.message} (timed out)`);
        throw new Pop3Error(`Cannot read ${what}: ${(error as Error).message}`);
      }
      if (got === null) {
        throw new Pop3Error(`Cannot read ${what}: the server closed the connection`);
      }
      return got;
    };
    const status = async (what: string): Promise<string> => {
      const text = (await line(what)).text;
      if (text === "+OK" || text.startsWith("+OK ")) return text.slice(4);
      if (text.startsWith("-ERR")) throw new Pop3Error(`${what} failed: ${text}`, text);
      throw new Pop3Error(`${what}: not a POP3 status line: ${JSON.stringify(text)}`, text);
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
    const [count, size] = (await command("STAT")).split(" ").map(Number);
    if (!Number.isInteger(count) || !Number.isInteger(size)) {
      throw new Pop3Error("Cannot read STAT: expected '+OK count size'");
    }
    const messages: Uint8Array[] = [];
    for (let n = 1; n <= count; n++) {
      await command(`RETR ${n}`);
      const lines = await body(`message ${n}`);
      const out = new Uint8Array(lines.reduce((s, l) => s + l.length + 2, 0));
      let at = 0;
      for (const l of lines) {
        out.set(l, at);
        out.set(CRLF, at + l.length);
        at += l.length + 2;
      }
      messages.push(out);
      if (options.delete) await command(`DELE ${n}`);
    }
    await command("QUIT");
    const sizes = messages.map((m) => m.length);
    return { count, size, sizes, messages };
  } finally {
    conn.close();
  }
}
