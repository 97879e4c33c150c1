/**
 * What the three misbehaving servers share: the listener, per-connection transcripts,
 * the wire faults of a scenario, and the small acts of misbehaviour that do not depend on
 * the protocol (close at once, greet late, stall, send a line without end).
 *
 * @module
 */

import { type LoopbackServer, serveLoopback } from "../net/mod.ts";
import { tap, Transcript } from "../transcript/transcript.ts";
import { ENDLESS_LINE_LIMIT, type Scenario, scenario as findScenario } from "./scenarios.ts";
import { Wire } from "./wire.ts";

/** Options every misbehaving server takes. */
export interface MisbehavingOptions {
  /** Which scenario to play (see `SCENARIOS`). */
  scenario: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Called with each connection's transcript as the connection opens. */
  onTranscript?: (transcript: Transcript) => void;
}

/** A running misbehaving server. `await using` closes it and every connection. */
export interface MisbehavingServer extends LoopbackServer {
  readonly scenario: Scenario;
  /** Every connection's transcript, in order of arrival. */
  readonly transcripts: readonly Transcript[];
  /** Connections accepted so far. */
  readonly accepted: number;
  /**
   * Rules the client broke, as the server saw them ("sent message text after DATA was
   * answered with 250"): a client can fail for the right reason and still do harm.
   */
  readonly violations: readonly string[];
  /**
   * Resolves once no connection is open (at once when none is): the client closed its
   * side, or the server closed it. Graders wait on it to prove a client leaves no socket.
   */
  settled(): Promise<void>;
}

/** One connection as a protocol handler sees it. */
export interface Connection {
  /** The socket, tapped into the transcript (read from it, or through a LineReader). */
  readonly io: Deno.TcpConn;
  /** The sending side with the scenario's wire faults. */
  readonly wire: Wire;
  /** 0 for the first connection, 1 for the second... */
  readonly index: number;
  /** Aborted when the server closes. */
  readonly closing: AbortSignal;
  /** Record a rule the client broke. */
  violation(what: string): void;
}

/** Wait `ms`, or less if the server is closing. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * Stall: send nothing more and read (and ignore) whatever comes until the client closes.
 * This is how a hung server looks from the client's side.
 */
export async function stall(conn: Connection): Promise<void> {
  const buffer = new Uint8Array(4096);
  try {
    while ((await conn.io.read(buffer)) !== null) { /* ignore */ }
  } catch {
    // closed under us: the stall is over
  }
}

/**
 * Start a line and never end it: write `start`, then 8 KB chunks without LF until the
 * client goes away (the write fails) or {@linkcode ENDLESS_LINE_LIMIT} bytes went out.
 */
export async function endlessLine(conn: Connection, start: string): Promise<void> {
  const chunk = new TextEncoder().encode("x".repeat(8192));
  try {
    await conn.wire.raw(new TextEncoder().encode(start));
    for (let sent = 0; sent < ENDLESS_LINE_LIMIT; sent += chunk.length) {
      await conn.wire.raw(chunk);
    }
  } catch {
    return; // the client closed: good
  }
  await stall(conn);
}

/**
 * Listen on 127.0.0.1 and play `scenario` with `handler` on every connection, applying
 * the wire faults (bare LF, small writes) and recording a transcript per connection.
 */
export function serveMisbehaving(
  options: MisbehavingOptions,
  names: [server: string, client: string],
  handler: (conn: Connection, scenario: Scenario) => Promise<void>,
): MisbehavingServer {
  const scenario = findScenario(options.scenario);
  const closing = new AbortController();
  const transcripts: Transcript[] = [];
  const violations: string[] = [];
  let accepted = 0;
  let open = 0;
  let waiters: (() => void)[] = [];
  const wakeIfSettled = () => {
    if (open > 0) return;
    const waiting = waiters;
    waiters = [];
    for (const resolve of waiting) resolve();
  };
  const inner = serveLoopback(async (conn) => {
    const index = accepted++;
    open++;
    try {
      const transcript = new Transcript();
      transcripts.push(transcript);
      options.onTranscript?.(transcript);
      const io = tap(conn, transcript, names[0], names[1]);
      const wire = new Wire(io, {
        bareLf: scenario.name === "lf-endings",
        pieces: scenario.name === "one-byte-writes"
          ? 1
          : scenario.name === "split-writes"
          ? "random"
          : undefined,
      });
      const violation = (what: string) => void violations.push(what);
      await handler({ io, wire, index, closing: closing.signal, violation }, scenario);
    } catch (error) {
      // A client that vanishes mid-write is part of the game, not a server failure.
      if (!isDisconnect(error)) throw error;
    } finally {
      open--;
      // serveLoopback closes the socket after we return; let that happen first.
      queueMicrotask(wakeIfSettled);
    }
  }, { port: options.port });
  const close = () => {
    closing.abort();
    return inner.close();
  };
  return {
    hostname: inner.hostname,
    port: inner.port,
    get connections() {
      return inner.connections;
    },
    scenario,
    transcripts,
    violations,
    get accepted() {
      return accepted;
    },
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        wakeIfSettled();
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.Interrupted;
}
