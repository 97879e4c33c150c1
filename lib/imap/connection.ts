/**
 * The IMAP transport for one connection: it owns the socket, the frame reader, the idle
 * timeout and the writes, and drives a {@linkcode Session} with what it reads. All the
 * protocol is in the session; here is only "send the output, wait for what the session
 * asked for, feed it back".
 *
 * @module
 */

import { type ByteSource, LineTooLongError, writeAll } from "../net/mod.ts";
import { LIMITS } from "./constants.ts";
import { FrameReader, LiteralTooLargeError } from "./framing.ts";
import type { Session, SessionInput, Wait } from "./session.ts";
import type { SilenceClock } from "./silence.ts";

/** A connection as the transport needs it (a `Deno.Conn`, or a transcript tap on one). */
export interface Wire extends ByteSource {
  write(bytes: Uint8Array): Promise<number>;
}

/** Options for {@linkcode serveConnection}. */
export interface ConnectionOptions {
  /** The server's clock for autologout (RFC 3501 5.4), shared by its connections. */
  silence: SilenceClock;
  /** Time this connection may still wait, asked at each tick (a login deadline). */
  limit?: () => number;
  /** Aborted when the server is closing: a session in IDLE says BYE. */
  closing: AbortSignal;
}

const TIMEOUT: SessionInput = { kind: "timeout" };

/**
 * Serve one connection until the session says to close, the client leaves, or it goes
 * silent. The caller closes the connection afterwards.
 */
export async function serveConnection(
  wire: Wire,
  session: Session,
  options: ConnectionOptions,
): Promise<void> {
  const silence = options.silence.watch(options.limit);
  const reader = new FrameReader({
    // Every byte from the client counts as activity, a slow literal's included.
    read: (buffer) =>
      wire.read(buffer).then((n) => {
        silence.heard();
        return n;
      }),
  }, {
    maxLineLength: LIMITS.maxLineLength,
    // Most commands are short: a few KiB per connection, grown only for a long line.
    initialBufferSize: LIMITS.initialLineBuffer,
  });
  // Writes go out one after another: the "+" before a literal is written by the reader
  // while news (NOTIFY, RFC 5465) may be written between commands.
  let writing = Promise.resolve();
  const send = (bytes: Uint8Array) => writing = writing.then(() => writeAll(wire, bytes));
  // In IDLE, a read of the client's line outlives the wake-ups between; it is kept here.
  let line = null as CarriedRead | null;
  const readLine = () =>
    (line ??= new CarriedRead(reader.readLine().then(lineInput, failedRead))).next();
  // Likewise a command read outlives the news pushed while the client is silent.
  let command = null as CarriedRead | null;
  // After news, the wait goes on: the client's silence keeps counting from its last byte.
  let afterNews = false;

  const next = async (wait: Wait): Promise<SessionInput> => {
    switch (wait.kind) {
      case "command": {
        if (!command) {
          reader.limits = wait.limits;
          command = new CarriedRead(
            reader.readFrame(async (_size, synchronizing) => {
              if (synchronizing) await send(wait.literalReady);
            }).then((frame): SessionInput => frame ? { kind: "command", frame } : { kind: "end" })
              .catch(failedRead),
          );
        }
        // The next command or news, whichever comes first (RFC 5465 3.1: with NOTIFY the
        // client listens all the time, even when no command is in progress).
        const input = await silence.race(
          wait.news ? firstOfNews(command.next(), wait.news) : command.next(),
          TIMEOUT,
          !afterNews,
        );
        afterNews = input.kind === "news";
        if (!afterNews) command = null;
        return input;
      }
      case "line": {
        const input = await silence.race(readLine(), TIMEOUT);
        line = null;
        return input;
      }
      case "idle": {
        // The IDLE command's own bytes started this silence; wake-ups do not restart it.
        const input = await silence.race(
          firstOf(readLine(), wait.changed, options.closing),
          TIMEOUT,
          false,
        );
        if (input.kind !== "wake" && input.kind !== "closing") line = null;
        return input;
      }
      case "close":
        throw new Error("Cannot wait after close");
    }
  };

  session.spill = send;
  let result = session.greet();
  try {
    while (true) {
      if (result.output.length) await send(result.output);
      if (result.next.kind === "close") return;
      result = await session.step(await next(result.next));
    }
  } finally {
    silence.stop();
    await session.end();
  }
}

/**
 * The client's line, news of the mailbox, or the server closing, whichever comes first.
 * The closing listener is removed afterwards, so a long IDLE leaves nothing behind on
 * the server's signal.
 */
function firstOf(
  line: Promise<SessionInput>,
  changed: Promise<void>,
  closing: AbortSignal,
): Promise<SessionInput> {
  if (closing.aborted) return Promise.resolve({ kind: "closing" });
  let onClose = () => {};
  return new Promise<SessionInput>((resolve, reject) => {
    onClose = () => resolve({ kind: "closing" });
    closing.addEventListener("abort", onClose, { once: true });
    line.then(resolve, reject);
    changed.then(() => resolve({ kind: "wake" }));
  }).finally(() => closing.removeEventListener("abort", onClose));
}

/** The client's command, or news to push first (the command's read goes on). */
function firstOfNews(
  command: Promise<SessionInput>,
  news: Promise<void>,
): Promise<SessionInput> {
  return Promise.race([command, news.then((): SessionInput => ({ kind: "news" }))]);
}

/**
 * A read that outlives several waits (IDLE's wake-ups, NOTIFY's news): one handler on
 * the read hands its result to whichever wait is current, so a client that stays silent
 * through a thousand pushes leaves no thousand handlers on one pending promise.
 */
class CarriedRead {
  #outcome: Promise<SessionInput> | null = null;
  #waiting: PromiseWithResolvers<SessionInput> | null = null;

  constructor(read: Promise<SessionInput>) {
    read.then(
      (input) => this.#settle(Promise.resolve(input)),
      (error) => this.#settle(Promise.reject(error)),
    );
  }

  #settle(outcome: Promise<SessionInput>): void {
    outcome.catch(() => {}); // a read still pending fails once the connection closes
    this.#outcome = outcome;
    this.#waiting?.resolve(outcome);
    this.#waiting = null;
  }

  /** The read's result, for the current wait (an earlier wait that ended gets nothing). */
  next(): Promise<SessionInput> {
    if (this.#outcome) return this.#outcome;
    this.#waiting = Promise.withResolvers();
    return this.#waiting.promise;
  }
}

function lineInput(text: string | null): SessionInput {
  return text === null ? { kind: "end" } : { kind: "line", text };
}

/** The reader's errors that the session answers, as inputs; anything else is rethrown. */
function failedRead(error: unknown): SessionInput {
  if (error instanceof LiteralTooLargeError) return { kind: "literal-too-large", error };
  if (error instanceof LineTooLongError) return { kind: "line-too-long", reason: error.message };
  throw error;
}
