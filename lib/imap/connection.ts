/**
 * The IMAP transport for one connection: it owns the socket, the frame reader, the idle
 * timeout and the writes, and drives a {@linkcode Session} with what it reads. All the
 * protocol is in the session; here is only "send the output, wait for what the session
 * asked for, feed it back".
 *
 * @module
 */

import { type ByteSource, IdleTimeoutError, LineTooLongError, writeAll } from "../net/mod.ts";
import { LIMITS } from "./constants.ts";
import { FrameReader, LiteralTooLargeError } from "./framing.ts";
import type { Session, SessionInput, Wait } from "./session.ts";

/** A connection as the transport needs it (a `Deno.Conn`, or a transcript tap on one). */
export interface Wire extends ByteSource {
  write(bytes: Uint8Array): Promise<number>;
}

/** Options for {@linkcode serveConnection}. */
export interface ConnectionOptions {
  /**
   * Autologout after this much silence (RFC 3501 5.4); a function is asked before each
   * read (lib/net/login_deadline.ts gives less time before login).
   */
  idleTimeoutMs: number | (() => number);
  /** Resolves when the server is closing: a session in IDLE says BYE. */
  closing: Promise<void>;
}

/**
 * Serve one connection until the session says to close, the client leaves, or it goes
 * silent. The caller closes the connection afterwards.
 */
export async function serveConnection(
  wire: Wire,
  session: Session,
  options: ConnectionOptions,
): Promise<void> {
  const reader = new FrameReader(wire, {
    maxLineLength: LIMITS.maxLineLength,
    // Most commands are short: a few KiB per connection, grown only for a long line.
    initialBufferSize: 4096,
    idleTimeoutMs: options.idleTimeoutMs,
  });
  const closing = options.closing.then((): SessionInput => ({ kind: "closing" }));
  // In IDLE, a read of the client's line outlives the wake-ups between; it is kept here.
  let line = null as Promise<SessionInput> | null;
  const readLine = () => line ??= reader.readLine().then(lineInput, failedRead);

  const next = async (wait: Wait): Promise<SessionInput> => {
    switch (wait.kind) {
      case "command": {
        reader.limits = wait.limits;
        const frame = await reader.readFrame(async (_size, synchronizing) => {
          if (synchronizing) await writeAll(wire, wait.literalReady);
        }).catch(failedRead);
        if (frame === null) return { kind: "end" };
        return "kind" in frame ? frame : { kind: "command", frame };
      }
      case "line": {
        const input = await readLine();
        line = null;
        return input;
      }
      case "idle": {
        const changed = wait.changed.then((): SessionInput => ({ kind: "wake" }));
        const input = await Promise.race([readLine(), changed, closing]);
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
    line?.catch(() => {}); // a read still pending fails once the connection closes
    await session.end();
  }
}

function lineInput(text: string | null): SessionInput {
  return text === null ? { kind: "end" } : { kind: "line", text };
}

/** The reader's errors that the session answers, as inputs; anything else is rethrown. */
function failedRead(error: unknown): SessionInput {
  if (error instanceof LiteralTooLargeError) return { kind: "literal-too-large", error };
  if (error instanceof LineTooLongError) return { kind: "line-too-long", reason: error.message };
  if (error instanceof IdleTimeoutError) return { kind: "timeout" };
  throw error;
}
