/**
 * Exercise: an IMAP client over a socket that fetches only what it needs.
 *
 * POP3 downloads whole messages. IMAP can fetch a message's header alone, or one MIME
 * part of it (RFC 3501 6.4.5, `BODY.PEEK[HEADER]`, `BODY.PEEK[2]`). Write
 * `fetchHeaderAndPart()`: log in, select INBOX, fetch by UID only the header and the one
 * part asked for, log out, and return their octets exactly.
 *
 * The dialogue (every command starts with a fresh tag of your choosing; the server ends
 * each command with a tagged `OK`, `NO` or `BAD` line, RFC 3501 2.2.1):
 *
 *     S: * OK ready
 *     C: a1 LOGIN "alice" "wonderland"
 *     S: a1 OK LOGIN completed
 *     C: a2 SELECT INBOX
 *     S: * 3 EXISTS ... (untagged lines)
 *     S: a2 OK [READ-WRITE] SELECT completed
 *     C: a3 UID FETCH 7 (BODY.PEEK[HEADER] BODY.PEEK[2])
 *     S: * 2 FETCH (UID 7 BODY[HEADER] {342}
 *     S: <342 octets> BODY[2] {1024}
 *     S: <1024 octets>)
 *     S: a3 OK UID FETCH completed
 *     C: a4 LOGOUT
 *
 * Rules your client must keep:
 * - a line ending in `{n}` is followed by exactly n octets (a literal) and then the rest
 *   of the same response; n counts octets (RFC 3501 4.3). Data may also come as a quoted
 *   string or NIL;
 * - untagged responses (`* ...`) may arrive at any time, before and between the ones you
 *   asked for, including a FETCH that carries only FLAGS (RFC 3501 7): skip what you do
 *   not need;
 * - use BODY.PEEK so the message is not marked \Seen; never fetch the whole message;
 * - a `NO`/`BAD` completion, a missing message, a connection cut in the middle of a
 *   literal, or a deadline passed (`options.timeoutMs` per response) is an error; close
 *   the connection whatever happens.
 *
 * It is graded against the course's IMAP server (over Maildir) and every misbehaving IMAP
 * server of lib/misbehave. You may import lib/net, not lib/imap (that is the answer).
 * `deno task grade 05_imap/imap_client` checks your work.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import { connectLoopback, LineReader, LineWriter, withTimeout } from "../../lib/net/mod.ts";

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

/** Read one whole response (lines and literals); null when the server closed first. */
export async function readResponse(reader: LineReader): Promise<RawResponse | null> {
  // TODO: read a line; while it ends with {n}, read n octets (reader.readBytes) and the
  //       next line; a close in the middle is an error, not a short response.
  void reader;
  await Promise.resolve();
  throw todo("readResponse(): one response, literals included");
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
  // TODO: a command helper: send "tag COMMAND args", read responses until the one with
  //       that tag (each within the deadline), keep the untagged ones, throw unless OK.
  // TODO: greeting; LOGIN; SELECT INBOX; UID FETCH uid (BODY.PEEK[HEADER] BODY.PEEK[part]).
  // TODO: find, in the FETCH response for this UID, the data after BODY[HEADER] and after
  //       BODY[part]: a literal, a quoted string or NIL.
  // TODO: LOGOUT; close the connection in a `finally`.
  void [connectLoopback, LineWriter, withTimeout, port, user, password, uid, part, options];
  await Promise.resolve();
  throw todo("fetchHeaderAndPart(): speak IMAP, fetch only what is needed");
}
