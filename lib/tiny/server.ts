/**
 * The TINY server on 127.0.0.1: wires sockets to {@linkcode answer} and nothing else.
 *
 * Every byte in both directions lands in one shared transcript, and each session's end is
 * reported (did the client say QUIT? who closed?), which the warm-up exercise's grader
 * and chapter 0 use.
 *
 * @module
 */

import { type LoopbackServer, serveLoopback } from "../net/loopback.ts";
import { IdleTimeoutError, LineReader, LineTooLongError } from "../net/line_reader.ts";
import { LineWriter } from "../net/line_writer.ts";
import { tap, Transcript } from "../transcript/transcript.ts";
import { answer, GREETING } from "./protocol.ts";

/** How one session ended. */
export interface TinySession {
  /** Every line the client sent, and how it ended. */
  lines: { text: string; ending: "CRLF" | "LF" }[];
  /** The client sent QUIT. */
  quit: boolean;
  /** `"client"`: the client closed first; `"server"`: after QUIT or an error. */
  closedBy: "client" | "server";
}

/** A running TINY server. */
export interface TinyServer extends LoopbackServer {
  /** Everything said on every connection, client and server. */
  readonly transcript: Transcript;
  /** Sessions that have ended, oldest first. */
  readonly sessions: TinySession[];
  /** Resolves when the next session ends. Call it before starting the client. */
  nextSessionEnd(): Promise<TinySession>;
}

/** Options for {@linkcode serveTiny}. */
export interface TinyOptions {
  port?: number;
  /** Close a silent client after this many ms. Default 10000. */
  idleTimeoutMs?: number;
  /** Longest line accepted. Default 512. */
  maxLineLength?: number;
}

/**
 * Start a TINY server.
 *
 * @example
 * ```ts
 * import { serveTiny } from "./server.ts";
 * await using server = serveTiny();
 * if (server.port <= 0) throw new Error("no port");
 * ```
 */
export function serveTiny(options: TinyOptions = {}): TinyServer {
  const transcript = new Transcript();
  const sessions: TinySession[] = [];
  const waiting: ((session: TinySession) => void)[] = [];

  const server = serveLoopback(async (raw) => {
    const conn = tap(raw, transcript, "server", "client");
    const reader = new LineReader(conn, {
      maxLineLength: options.maxLineLength ?? 512,
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
    });
    const writer = new LineWriter(conn);
    const session: TinySession = { lines: [], quit: false, closedBy: "client" };
    try {
      await writer.writeLine(GREETING);
      while (true) {
        let line;
        try {
          line = await reader.readLine();
        } catch (error) {
          if (error instanceof LineTooLongError) {
            await writer.writeLine("-ERR line too long");
            continue;
          }
          if (error instanceof IdleTimeoutError) {
            await writer.writeLine("-ERR idle too long, closing");
            session.closedBy = "server";
            return;
          }
          throw error;
        }
        if (line === null) return; // the client closed
        session.lines.push({ text: line.text, ending: line.ending });
        const { reply, close } = answer(line);
        if (line.ending === "CRLF" && /^quit$/i.test(line.text)) session.quit = true;
        await writer.writeLine(reply);
        if (close) {
          session.closedBy = "server";
          return;
        }
      }
    } finally {
      sessions.push(session);
      for (const resolve of waiting.splice(0)) resolve(session);
    }
  });

  return Object.assign(server, {
    transcript,
    sessions,
    nextSessionEnd: () => new Promise<TinySession>((resolve) => waiting.push(resolve)),
  });
}
