/**
 * A POP3 server on 127.0.0.1: the transport around {@linkcode step}.
 *
 * It reads command lines, lets the pure session answer them, and does the three things
 * the session cannot: check passwords (with a growing delay after a wrong one, against
 * guessing: lib/net/auth_throttle.ts), hold the one-session-per-maildrop lock (RFC 1939 8), and read and remove
 * messages in the store. Deletions happen only when QUIT moves the session to UPDATE; a
 * connection that drops or times out removes nothing (RFC 1939 6).
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import {
  AuthAttempts,
  type AuthLedger,
  AuthThrottle,
  type ConnectionGate,
  encodeLines,
  IdleTimeoutError,
  IdleWatch,
  isPeerGone,
  LineReader,
  LineTooLongError,
  LoginDeadline,
  type LoopbackServer,
  type Refusal,
  serveLoopback,
  writeAll,
} from "../net/mod.ts";
import type { MessageFile, Pop3Mailbox, Pop3Store } from "./backend.ts";
import { LIMITS, RESPONSE_CODE } from "./constants.ts";
import { InProcessLocks, type MaildropLocks } from "./maildrop_locks.ts";
import { MultilineEncoder, stuffLines } from "./multiline.ts";
import {
  afterLogin,
  afterUpdate,
  type Effect,
  initialState,
  type LoginOutcome,
  type Reply,
  type SessionOptions,
  type SessionState,
  step,
  type StepResult,
} from "./session.ts";
import { formatStatus } from "./status.ts";

/** Options for {@linkcode servePop3}. */
export interface Pop3ServerOptions extends SessionOptions {
  /** The mail store; root/<user>/ INBOX is the user's maildrop. */
  store: Pop3Store;
  /** User name to password. Passwords are also APOP's shared secrets (RFC 1939 7). */
  users: ReadonlyMap<string, string>;
  /** Port on 127.0.0.1; 0 (default) picks a free one. The course lab uses 1110. */
  port?: number;
  /** Name in the greeting's APOP timestamp. Default "localhost". */
  hostname?: string;
  /** Close a connection silent this long (RFC 1939 3 autologout, at least 10 minutes there). Default 600000. */
  idleTimeoutMs?: number;
  /**
   * Time from the greeting to a successful login. Default 3 minutes
   * (`LIMITS.loginTimeoutMs`); a shorter `idleTimeoutMs` still applies to each wait.
   */
  loginTimeoutMs?: number;
  /**
   * The password-guessing policy (lib/net/auth_throttle.ts). Give one throttle to several
   * servers and a client's failures count on all of them. Default: a throttle of its own.
   */
  authThrottle?: AuthLedger;
  /**
   * Delay before answering the first wrong password from an address, doubling with each
   * further one; used when `authThrottle` is not given. Default 2000; tests use a few ms.
   */
  authFailureDelayMs?: number;
  /** Most connections at once. Default 100. */
  maxConnections?: number;
  /** Most connections at once from one client address. Default 50. */
  maxConnectionsPerAddress?: number;
  /**
   * Where the two limits above are counted. Default: a count of this server's own. A
   * server on several threads (lib/pop3/threads.ts) gives each thread the shared one.
   */
  connectionLimits?: ConnectionGate;
  /** The one-session-per-maildrop locks. Default: this server's own (lib/pop3/maildrop_locks.ts). */
  maildropLocks?: MaildropLocks;
  /** Share the port with the server's other threads (lib/net/loopback.ts). Default false. */
  reusePort?: boolean;
  /** Called when a session ends, after its lock is released: tests and notebooks wait on it. */
  onSessionEnd?: (end: SessionEnd) => void;
  /** Errors from a connection (a broken store, say). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** How a session ended, for {@linkcode Pop3ServerOptions.onSessionEnd}. */
export interface SessionEnd {
  /** The user whose maildrop was open, if the session got that far. */
  user?: string;
  /** "quit": QUIT was sent; "dropped": the client closed; "timeout": autologout; "closed": the server closed or failed. */
  reason: "quit" | "dropped" | "timeout" | "closed";
  /** Messages removed in UPDATE. */
  removed: number;
  /** Which thread served it, for a server on several threads (lib/pop3/threads.ts). */
  thread?: number;
}

/** A running POP3 server. `await using` closes it and every connection. */
export interface Pop3Server extends LoopbackServer {
  /** Resolves when the next session ends (its lock released): wait on the event, not a timer. */
  nextSessionEnd(): Promise<SessionEnd>;
}

const encoder = new TextEncoder();
let sessions = 0;

/**
 * Serve POP3 on 127.0.0.1.
 *
 * @example Serve one message from memory
 * ```ts
 * import { MemoryStore } from "./backend.ts";
 * import { servePop3 } from "./server.ts";
 * const store = new MemoryStore();
 * store.add("alice", new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await using server = servePop3({ store, users: new Map([["alice", "secret"]]) });
 * if (server.port === 0) throw new Error("unexpected");
 * ```
 */
export function servePop3(options: Pop3ServerOptions): Pop3Server {
  const locks = options.maildropLocks ?? new InProcessLocks();
  const stopping = new AbortController();
  const hostname = options.hostname ?? "localhost";
  const throttle = options.authThrottle ??
    new AuthThrottle({ firstDelayMs: options.authFailureDelayMs });
  const ends = new SessionEnds(options.onSessionEnd);
  const inner = serveLoopback(
    (conn) =>
      serveSession(
        conn,
        {
          ...options,
          maxAuthFailures: options.maxAuthFailures ?? throttle.maxFailuresPerSession,
          onSessionEnd: ends.report,
        },
        locks,
        hostname,
        new AuthAttempts(throttle, conn.remoteAddr.hostname, stopping.signal),
      ),
    {
      port: options.port,
      reusePort: options.reusePort,
      limits: options.connectionLimits,
      maxConnections: options.maxConnections ?? LIMITS.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ??
        LIMITS.maxConnectionsPerAddress,
      onError: options.onError,
      onTooManyConnections: (conn, refusal) => writeAll(conn, statusBytes(refusalStatus(refusal))),
    },
  );
  const close = () => {
    stopping.abort();
    return inner.close();
  };
  return {
    hostname: inner.hostname,
    port: inner.port,
    connections: inner.connections,
    close,
    nextSessionEnd: ends.next,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * The ends of a server's sessions, told to `onSessionEnd` and to whoever waits on
 * {@linkcode SessionEnds.next} (tests and notebooks wait on the event, not on a timer).
 */
export class SessionEnds {
  #waiters: ((end: SessionEnd) => void)[] = [];
  readonly #onSessionEnd?: (end: SessionEnd) => void;

  constructor(onSessionEnd?: (end: SessionEnd) => void) {
    this.#onSessionEnd = onSessionEnd;
  }

  /** A session ended: wake every waiter, then tell `onSessionEnd`. */
  report = (end: SessionEnd): void => {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiting) resolve(end);
    this.#onSessionEnd?.(end);
  };

  /** Resolves when the next session ends. */
  next = (): Promise<SessionEnd> => new Promise((resolve) => this.#waiters.push(resolve));
}

/**
 * The `-ERR` that turns a connection away: [SYS/TEMP], a temporary condition worth
 * retrying later (RFC 3206 4), whether the server is full or this client holds its share.
 */
function refusalStatus(refusal: Refusal): Reply {
  const text = refusal.kind === "server"
    ? "Too many connections, try again later"
    : `Too many connections from ${refusal.address} (the limit is ${refusal.limit}), try again later`;
  return { ok: false, code: RESPONSE_CODE.SysTemp, text };
}

async function serveSession(
  conn: Deno.TcpConn,
  options: Pop3ServerOptions,
  locks: MaildropLocks,
  hostname: string,
  attempts: AuthAttempts,
): Promise<void> {
  let buffers: ReplyBuffers | undefined; // made at the first RETR or TOP
  const makeBuffers = () => buffers ??= replyBuffers();
  let ahead: ReadAhead | undefined; // the next RETR's reply, made while the client reads
  const loginTimeoutMs = options.loginTimeoutMs ?? LIMITS.loginTimeoutMs;
  const deadline = new LoginDeadline({
    idleTimeoutMs: options.idleTimeoutMs ?? LIMITS.idleTimeoutMs,
    loginTimeoutMs,
  });
  using watched = new IdleWatch(conn, deadline.timeoutMs); // one timer, not one per read
  const reader = new LineReader(watched, { maxLineLength: LIMITS.commandLine });
  // RFC 1939 7: the timestamp must be different each time the server greets.
  let state = initialState(`<${Deno.pid}.${Date.now()}.${sessions++}@${hostname}>`);
  let mailbox: Pop3Mailbox | undefined;
  let locked: string | undefined;
  const end: SessionEnd = { reason: "closed", removed: 0 };

  const login = async (effect: Effect): Promise<LoginOutcome> => {
    if (effect.kind === "update") throw new TypeError("Cannot log in with an update effect");
    if (!checkCredentials(options.users, effect)) return { ok: false, reason: "credentials" };
    if (!(await locks.acquire(effect.user))) return { ok: false, reason: "locked" };
    locked = effect.user;
    try {
      mailbox = await options.store.mailbox(effect.user);
      const messages = (await mailbox.list()).map(({ id, size }) => ({ id, size }));
      return { ok: true, messages };
    } catch (error) {
      locks.release(effect.user);
      locked = undefined;
      options.onError?.(error);
      return { ok: false, reason: "unavailable" };
    }
  };

  const update = async (ids: string[]): Promise<number> => {
    let failed = 0;
    for (const id of ids) {
      try {
        await mailbox!.remove(id);
        end.removed++;
      } catch (error) {
        // Already gone (another client removed it) is what we wanted anyway.
        if (!(error instanceof Deno.errors.NotFound)) failed++;
      }
    }
    return failed;
  };

  try {
    await writeAll(conn, statusBytes({ ok: true, text: `POP3 server ready ${state.timestamp}` }));
    while (true) {
      let text: string;
      try {
        const line = await reader.readLine();
        if (line === null) { // dropped without QUIT: no UPDATE, nothing removed
          end.reason = "dropped";
          return;
        }
        text = line.text;
      } catch (error) {
        if (error instanceof LineTooLongError) {
          // RFC 2449 4: lines are at most 255 octets. The reader skipped it; go on.
          await writeAll(conn, statusBytes({ ok: false, text: `${error.message}` }));
          continue;
        }
        if (error instanceof IdleTimeoutError) {
          end.reason = "timeout";
          if (deadline.expired) { // no login in time: say so, as Dovecot does, and close
            const seconds = loginTimeoutMs / 1000;
            await writeAll(
              conn,
              statusBytes({ ok: false, text: `No login within ${seconds} s, closing` }),
            );
          }
          // RFC 1939 3: the autologout timer closes "without ... sending any response".
          return;
        }
        throw error;
      }
      let result: StepResult = step(state, text, options);
      if (result.effect?.kind === "login" || result.effect?.kind === "apop") {
        const outcome = await login(result.effect);
        if (!outcome.ok && outcome.reason === "credentials") await attempts.failed();
        if (outcome.ok) {
          attempts.succeeded();
          deadline.loggedIn();
        }
        result = afterLogin(result.state, result.effect, outcome, options);
      } else if (result.effect?.kind === "update") {
        result = afterUpdate(result.state, await update(result.effect.remove));
      }
      state = result.state;
      for (const reply of result.replies) {
        if (answers(ahead, reply)) {
          await writeAll(conn, buffers!.output.subarray(0, ahead.length));
          ahead = undefined;
          continue;
        }
        // Other messages are built in the buffer the reply read ahead sits in; a status
        // line or a listing (DELE between two RETRs, as fetchmail sends) leaves it.
        if (reply.message) ahead = undefined;
        await sendReply(conn, reply, mailbox, state, makeBuffers);
      }
      if (result.close) {
        end.reason = "quit";
        return;
      }
      if (result.replies.at(-1)?.message) {
        ahead = await readAhead(result, mailbox, options, makeBuffers);
      }
    }
  } catch (error) {
    // The client reset or left while we wrote: a dropped session, not a server failure.
    if (!isPeerGone(error)) throw error;
    end.reason = "dropped";
  } finally {
    if (locked !== undefined) locks.release(locked);
    end.user = state.mailbox;
    options.onSessionEnd?.(end);
  }
}

/** Password or APOP digest check, in constant time for equal lengths. */
function checkCredentials(users: ReadonlyMap<string, string>, effect: Effect): boolean {
  if (effect.kind === "update") return false;
  const secret = users.get(effect.user);
  if (secret === undefined) return false;
  if (effect.kind === "login") return sameText(secret, effect.password);
  // RFC 1939 7: digest = MD5(timestamp + shared secret), in lower-case hex.
  const expected = createHash("md5").update(effect.timestamp + secret).digest("hex");
  return sameText(expected, effect.digest);
}

function sameText(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A status line as bytes. It goes through lib/net's `encodeLines`, which refuses CR, LF
 * and NUL: whatever a command carried, no reply line can split or end early.
 */
function statusBytes(status: Reply): Uint8Array {
  return encodeLines([formatStatus(status)]);
}

/** How much of a message file RETR and TOP read at a time. */
const MESSAGE_CHUNK_BYTES = LIMITS.messageChunk;

/**
 * Messages up to this size are read with blocking reads: from the page cache that takes
 * microseconds, less than the trip through Deno's thread pool an async read costs (the
 * largest cost per RETR in a profile). Larger ones are read asynchronously, so that one
 * big download does not hold up the other sessions.
 */
const SYNC_READ_BYTES = 256 * 1024;

/**
 * Send one reply: the status line, then a stuffed multi-line body if it has one. A
 * message (RETR, TOP) is streamed from its file in chunks, byte-stuffed chunk by chunk
 * ({@linkcode MultilineEncoder}), and written in pieces of about a chunk, so a small
 * message leaves in one write, status line included, and a large one never sits whole
 * in memory. `buffers` gives the session's, made once and reused from reply to reply.
 */
async function sendReply(
  conn: Deno.Conn,
  reply: Reply,
  mailbox: Pop3Mailbox | undefined,
  state: SessionState,
  buffers: () => ReplyBuffers,
): Promise<void> {
  const status = { ok: reply.ok, code: reply.code, text: reply.text };
  if (reply.lines) {
    return await writeAll(conn, encodeLines([formatStatus(status), ...stuffLines(reply.lines)]));
  }
  if (!reply.message || !mailbox) return await writeAll(conn, statusBytes(status));
  let file: MessageFile;
  try {
    file = await openMessage(mailbox, reply.message.id);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return await writeAll(
      conn,
      statusBytes({
        ok: false,
        text: `Message ${reply.message.number} is no longer in ${state.mailbox}'s maildrop`,
      }),
    );
  }
  try {
    const session = buffers();
    const length = await fillReply(reply, file, session, (bytes) => writeAll(conn, bytes));
    await writeAll(conn, session.output.subarray(0, length));
  } finally {
    file.close();
  }
}

function openMessage(mailbox: Pop3Mailbox, id: string): Promise<MessageFile> {
  return mailbox.open ? mailbox.open(id) : mailbox.read(id).then(wholeFile);
}

/**
 * Put a message reply (RETR, TOP) into the session's output buffer: its status line, the
 * message byte-stuffed, the terminator. When the buffer fills, `flush` sends what it
 * holds. Returns how many bytes are left in the buffer for the last write.
 */
async function fillReply(
  reply: Reply,
  file: MessageFile,
  { input, output }: ReplyBuffers,
  flush: (bytes: Uint8Array) => Promise<void>,
): Promise<number> {
  const message = reply.message!;
  const encoder = new MultilineEncoder(message.bodyLines);
  const readSync = message.size <= SYNC_READ_BYTES ? file.readSync?.bind(file) : undefined;
  // The reply is gathered in the session's output buffer and written when it is full or
  // the message ends: a small message leaves in one write with its status line (two small
  // writes in a row meet Nagle's algorithm and the client's delayed ACK, a 40 ms stall per
  // message), and no reply allocates a buffer of its own.
  const head = statusBytes({ ok: reply.ok, code: reply.code, text: reply.text });
  output.set(head);
  let o = head.length;
  let read = 0;
  while (!encoder.done) {
    const n = readSync ? readSync(input) : await file.read(input);
    if (n === null) break;
    read += n;
    if (output.length - o < MultilineEncoder.maxOutput(n)) {
      await flush(output.subarray(0, o));
      o = 0;
    }
    o = encoder.pushInto(input.subarray(0, n), output, o);
    // Maildir files never change once delivered: at the listed size the file is done,
    // without one more read to see its end.
    if (read === message.size) break;
  }
  const end = encoder.end();
  if (output.length - o < end.length) {
    await flush(output.subarray(0, o));
    o = 0;
  }
  output.set(end, o);
  return o + end.length;
}

/**
 * A RETR reply made before it was asked for, whole, in the session's output buffer.
 *
 * A client that downloads its maildrop (fetchmail, a mail program, a script) asks for
 * message n + 1 as soon as it has read message n. While it reads, the server would
 * otherwise sit idle; instead it reads and byte-stuffs message n + 1 then, and answers
 * the next RETR with one write. The reply is the one `step` gives for that RETR, so it
 * is used only when the real command gets the same answer; any other reply carrying a
 * message (TOP, another RETR) discards it, while a status line (DELE, NOOP) leaves it.
 * Only messages that fit in one buffer are read ahead, so it costs no memory. A message
 * another program removes in between is still sent, as it would be by a RETR that had
 * opened its file a moment earlier.
 */
interface ReadAhead {
  reply: Reply;
  /** Bytes of the reply at the start of the output buffer. */
  length: number;
}

/** After a RETR of message n, prepare the reply to RETR n + 1, if there is one. */
async function readAhead(
  sent: StepResult,
  mailbox: Pop3Mailbox | undefined,
  options: Pop3ServerOptions,
  buffers: () => ReplyBuffers,
): Promise<ReadAhead | undefined> {
  const last = sent.replies.at(-1)?.message;
  if (!mailbox || !last || last.bodyLines !== undefined) return undefined;
  const reply = step(sent.state, `RETR ${last.number + 1}`, options).replies[0];
  if (!reply?.message || reply.message.size > MESSAGE_CHUNK_BYTES) return undefined;
  let file: MessageFile | undefined;
  try {
    file = await openMessage(mailbox, reply.message.id);
    const length = await fillReply(reply, file, buffers(), () => {
      throw new RangeError("Cannot read ahead: the reply does not fit in one buffer");
    });
    return { reply, length };
  } catch {
    return undefined; // the RETR itself, if it comes, meets the error and reports it
  } finally {
    file?.close();
  }
}

/** The reply read ahead answers this reply exactly: same message, same status line. */
function answers(ahead: ReadAhead | undefined, reply: Reply): ahead is ReadAhead {
  const a = ahead?.reply;
  return a !== undefined && reply.message !== undefined && reply.text === a.text &&
    reply.ok === a.ok && reply.message.bodyLines === undefined &&
    reply.message.number === a.message!.number && reply.message.id === a.message!.id;
}

/** A session's buffers for RETR and TOP: file bytes in, wire bytes out. */
interface ReplyBuffers {
  input: Uint8Array;
  output: Uint8Array;
}

function replyBuffers(): ReplyBuffers {
  const input = new Uint8Array(MESSAGE_CHUNK_BYTES);
  // Room for a status line and two chunks' worst case, so the first chunk always fits.
  const output = new Uint8Array(
    LIMITS.responseLine + 2 + 2 * MultilineEncoder.maxOutput(MESSAGE_CHUNK_BYTES),
  );
  return { input, output };
}

/** A message already in memory, as a file of one chunk (stores without `open`). */
function wholeFile(bytes: Uint8Array): MessageFile {
  let at = 0;
  return {
    read(buffer) {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(buffer.length, bytes.length - at);
      buffer.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
    close() {},
  };
}
