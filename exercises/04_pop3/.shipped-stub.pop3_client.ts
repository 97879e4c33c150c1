/**
 * Exercise: a POP3 client over a real socket (RFC 1939).
 *
 * Write `downloadAll()`: log in, learn how many messages there are and their sizes, fetch
 * every message, optionally mark each for deletion, and end the session with QUIT (only
 * QUIT makes the server remove what you marked, RFC 1939 6). It is graded against the
 * course's POP3 server and against every misbehaving POP3 server of lib/misbehave (read
 * its scenario table: what each server does wrong and what your client must do).
 *
 * The dialogue: greeting `+OK`; `USER name`, `PASS secret`; `STAT` (`+OK count size`);
 * `LIST` (a multi-line response: `n size` lines, then "."); `RETR n` for each message
 * (multi-line: the message's lines, then "."); `DELE n`; `QUIT`.
 *
 * Rules your client must keep:
 * - a multi-line response ends at the line "."; a line the server starts with an extra
 *   "." (byte-stuffing) loses that one dot; the message you return has CRLF line ends,
 *   byte for byte what the server stored;
 * - `-ERR` stops the download with a {@linkcode Pop3Error} that carries the server's line;
 *   a line that is neither `+OK ...` nor `-ERR ...` is an error too;
 * - every line you wait for has a deadline (`options.timeoutMs`); the connection is closed
 *   whatever happens; a download cut off before "." is an error, never a short message;
 * - nothing is deleted unless you asked for it and the session ended with QUIT.
 *
 * You may import lib/net, not lib/pop3 (that is the answer).
 * `deno task grade 04_pop3/pop3_client` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, LineWriter, withTimeout } from "../../lib/net/mod.ts";

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

/** Download every message from the POP3 server on 127.0.0.1:`port`. */
export async function downloadAll(
  port: number,
  user: string,
  password: string,
  options: DownloadOptions,
): Promise<Download> {
  // TODO: helpers: read one line with a deadline; read a status line (+OK or throw);
  //       read a multi-line body up to "." (unstuffing, as bytes).
  // TODO: the dialogue above; DELE only when options.delete is set; QUIT.
  // TODO: close the connection in a `finally`.
  void [connectLoopback, LineReader, LineWriter, withTimeout, port, user, password, options];
  await Promise.resolve();
  throw todo("downloadAll(): speak POP3");
}
