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
  // In IDLE, a read of the client's line outlives the wake-ups between; it is kept here.
  let line = null as Promise<SessionInput> | null;
  const readLine = () => line ??= reader.readLine().then(lineInput, failedRead);

  const next = async (wait: Wait): Promise<SessionInput> => {
    switch (wait.kind) {
      case "command": {
        reader.limits = wait.limits;
        const frame = reader.readFrame(async (_size, synchronizing) => {
          if (synchronizing) await writeAll(wire, wait.literalReady);
        }).then((frame): SessionInput => frame ? { kind: "command", frame } : { kind: "end" })
          .catch(failedRead);
        return await silence.race(frame, TIMEOUT);
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

  session.spill = (bytes) => writeAll(wire, bytes);
  let result = session.greet();
  try {
    while (true) {
      if (result.output.length) await writeAll(wire, result.output);
      if (result.next.kind === "close") return;
      result = await session.step(await next(result.next));
    }
  } finally {
    silence.stop();
    line?.catch(() => {}); // a read still pending fails once the connection closes
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

function lineInput(text: string | null): SessionInput {
  return text === null ? { kind: "end" } : { kind: "line", text };
}

/** The reader's errors that the session answers, as inputs; anything else is rethrown. */
function failedRead(error: unknown): SessionInput {
  if (error instanceof LiteralTooLargeError) return { kind: "literal-too-large", error };
  if (error instanceof LineTooLongError) return { kind: "line-too-long", reason: error.message };
  throw error;
}
