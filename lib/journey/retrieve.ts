/**
 * Bob's two mail programs: one reads by POP3, one watches by IMAP IDLE and fetches the
 * message the moment it lands. Both are small on purpose and speak through pieces (see
 * pieces.ts), so a learner's multi-line reader and literal splitter can do the reading.
 *
 * @module
 */

import {
  closeQuietly,
  connectLoopback,
  LineReader,
  LineWriter,
  withTimeout,
  writeAll,
} from "../net/mod.ts";
import { FrameReader } from "../imap/framing.ts";
import type { ReadMultilinePiece, SplitFramesPiece } from "./pieces.ts";

const encoder = new TextEncoder();

/** What the POP3 client took home. */
export interface PopCopy {
  /** The message as RETR sent it, lines joined with CRLF. */
  bytes: Uint8Array;
  /** Its unique id (UIDL, RFC 1939 7). */
  uidl: string;
}

/**
 * Log in by POP3, find the newest message, RETR it and QUIT without DELE: the mail stays
 * on the server ("leave mail on server"), for the IMAP client to see too.
 *
 * @throws {Error} a -ERR reply, or a step that passed its deadline.
 */
export async function popRetrieve(
  port: number,
  user: string,
  password: string,
  readMultiline: ReadMultilinePiece,
  timeoutMs = 5000,
): Promise<PopCopy> {
  const conn = await connectLoopback(port, { timeoutMs });
  try {
    const reader = new LineReader(conn, { idleTimeoutMs: timeoutMs, maxLineLength: 65536 });
    const writer = new LineWriter(conn);
    const line = async () => {
      const got = await reader.readLine();
      if (got === null) throw new Error("Cannot read POP3 reply: the server closed the connection");
      return got.text;
    };
    const ok = async (command: string | null) => {
      if (command !== null) await writer.writeLine(command);
      const status = await line();
      if (!status.startsWith("+OK")) throw new Error(`POP3 ${command ?? "greeting"}: ${status}`);
      return status;
    };
    /** A multi-line reply: read to the "." line, then let the piece take it apart. */
    const multi = async (command: string) => {
      await writer.writeLine(command);
      const lines = [await line()];
      if (lines[0].startsWith("+OK")) {
        do lines.push(await line()); while (lines.at(-1) !== ".");
      }
      const { status, body } = readMultiline(lines);
      if (!status.startsWith("+OK")) throw new Error(`POP3 ${command}: ${status}`);
      return body;
    };
    await ok(null);
    await ok(`USER ${user}`);
    await ok(`PASS ${password}`);
    const listing = await multi("UIDL");
    const last = listing.at(-1);
    if (!last) throw new Error("POP3: the mailbox is empty");
    const [number, uidl] = last.split(" ");
    const body = await multi(`RETR ${number}`);
    await ok("QUIT");
    return { bytes: encoder.encode(body.map((l) => l + "\r\n").join("")), uidl };
  } finally {
    closeQuietly(conn);
  }
}

/** One IMAP response: its lines and the literals between them. */
interface Response {
  lines: string[];
  literals: Uint8Array[];
}

/** Responses off a connection, one at a time. */
type ResponseSource = () => Promise<Response>;

/** The course's way: lib/imap's FrameReader reads frames straight off the socket. */
function frameReaderSource(conn: Deno.TcpConn, timeoutMs: number): ResponseSource {
  const frames = new FrameReader(conn, { idleTimeoutMs: timeoutMs, maxLineLength: 65536 });
  return async () => {
    const frame = await frames.readFrame();
    if (frame === null) throw new Error("Cannot read IMAP response: the server closed");
    return frame;
  };
}

/**
 * A piece's way: keep every byte received and let `splitFrames` find the complete
 * responses in it after each read; hand them out in order.
 */
function splitterSource(
  conn: Deno.TcpConn,
  splitFrames: SplitFramesPiece,
  timeoutMs: number,
): ResponseSource {
  let received = new Uint8Array(0);
  let handedOut = 0;
  const buffer = new Uint8Array(64 * 1024);
  return async () => {
    while (true) {
      const frames = splitFrames(received);
      if (frames.length > handedOut) return frames[handedOut++];
      const n = await withTimeout(conn.read(buffer), timeoutMs, "an IMAP response");
      if (n === null) throw new Error("Cannot read IMAP response: the server closed");
      const grown = new Uint8Array(received.length + n);
      grown.set(received);
      grown.set(buffer.subarray(0, n), received.length);
      received = grown;
    }
  };
}

/** What the IMAP client saw and took. */
export interface ImapCopy {
  /** The untagged response that woke IDLE: "* 1 EXISTS". */
  woke: string;
  /** The message, as FETCH BODY.PEEK[] sent it. */
  bytes: Uint8Array;
  uid: number;
}

/** An IMAP client idling in INBOX. */
export interface ImapWatch {
  /** Resolves with the message once it landed and was fetched. */
  readonly landed: Promise<ImapCopy>;
  /** Close the connection (idempotent). */
  close(): void;
}

/**
 * Log in, SELECT INBOX and enter IDLE (RFC 2177); resolves once the server said it is
 * idling. `landed` then waits for an EXISTS beyond the messages already there, ends IDLE
 * with DONE, fetches the new message with BODY.PEEK[] (leaving it unseen) and logs out.
 */
export async function imapWatch(
  port: number,
  user: string,
  password: string,
  options: {
    splitFrames: SplitFramesPiece | null;
    timeoutMs?: number;
    /** How long to wait for the message to land. Default 20000 ms. */
    waitMs?: number;
    onWake?: (response: string) => void;
  },
): Promise<ImapWatch> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const conn = await connectLoopback(port, { timeoutMs });
  let closed = false;
  const close = () => {
    if (!closed) closeQuietly(conn);
    closed = true;
  };
  try {
    // The reads wait as long as the wait for new mail: an idling connection is silent.
    const readMs = Math.max(timeoutMs, options.waitMs ?? 20_000);
    const next = options.splitFrames
      ? splitterSource(conn, options.splitFrames, readMs)
      : frameReaderSource(conn, readMs);
    const send = (line: string) => writeAll(conn, encoder.encode(line + "\r\n"));
    /** Send a tagged command; collect responses up to its tagged completion. */
    const command = async (tag: string, text: string) => {
      await send(`${tag} ${text}`);
      const untagged: Response[] = [];
      while (true) {
        const response = await next();
        if (response.lines[0].startsWith(`${tag} `)) {
          if (!/^\S+ OK/i.test(response.lines[0])) {
            throw new Error(`IMAP ${text.split(" ")[0]}: ${response.lines[0]}`);
          }
          return untagged;
        }
        untagged.push(response);
      }
    };
    const exists = (r: Response) => /^\* (\d+) EXISTS$/i.exec(r.lines[0]);

    const greeting = await next();
    if (!/^\* OK/i.test(greeting.lines[0])) throw new Error(`IMAP greeting: ${greeting.lines[0]}`);
    await command("a1", `LOGIN ${user} ${password}`);
    const selected = await command("a2", "SELECT INBOX");
    const before = Math.max(0, ...selected.map((r) => Number(exists(r)?.[1] ?? 0)));
    await send("a3 IDLE");
    const continuation = await next();
    if (!continuation.lines[0].startsWith("+")) {
      throw new Error(`IMAP IDLE: ${continuation.lines[0]}`);
    }

    const landed = (async (): Promise<ImapCopy> => {
      try {
        const deadline = Date.now() + (options.waitMs ?? 20_000);
        let woke: Response | null = null;
        while (!woke) {
          // The IDLE connection is silent until something happens: wait up to the deadline.
          const response = await withTimeout(
            next(),
            Math.max(1, deadline - Date.now()),
            "new mail while idling",
          );
          const count = exists(response);
          if (count && Number(count[1]) > before) woke = response;
        }
        options.onWake?.(woke.lines[0]);
        await send("DONE");
        while (!(await next()).lines[0].startsWith("a3 ")) { /* updates before the end of IDLE */ }
        const number = exists(woke)![1];
        const fetched = await command("a4", `FETCH ${number} (UID BODY.PEEK[])`);
        const fetch = fetched.find((r) => /^\* \d+ FETCH/i.test(r.lines[0]) && r.literals.length);
        if (!fetch) throw new Error("IMAP FETCH: no message body in the answer");
        const uid = Number(/UID (\d+)/i.exec(fetch.lines.join(" "))?.[1] ?? 0);
        await command("a5", "LOGOUT");
        return { woke: woke.lines[0], bytes: fetch.literals[0], uid };
      } finally {
        close();
      }
    })();
    landed.catch(() => {}); // the caller awaits it; never an unhandled rejection meanwhile
    return { landed, close };
  } catch (error) {
    close();
    throw error;
  }
}
