/**
 * A misbehaving POP3 server: USER/PASS, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP,
 * CAPA and QUIT over a mailbox held in memory (RFC 1939), with one scenario's
 * misbehaviour mixed in. Deletions happen only on QUIT (RFC 1939 6), so a grader can see
 * whether a client ended its session properly.
 *
 * @module
 */

import { concatBytes } from "../mail/bytes.ts";
import { LineReader, LineTooLongError } from "../net/mod.ts";
import { encodeMessage } from "../pop3/multiline.ts";
import {
  type Connection,
  endlessLine,
  type MisbehavingOptions,
  type MisbehavingServer,
  pause,
  serveMisbehaving,
  stall,
} from "./common.ts";
import { HUGE_LINE_BYTES, type Scenario, SLOW_GREETING_MS } from "./scenarios.ts";

/** One message in the misbehaving server's mailbox. */
export interface StoredMessage {
  /** Its UIDL id. */
  uid: string;
  /** Its bytes, CRLF line ends. */
  bytes: Uint8Array;
}

/** Options for {@linkcode serveMisbehavingPop3}. */
export interface MisbehavingPop3Options extends MisbehavingOptions {
  /** The mailbox. Default: {@linkcode sampleMailbox}. */
  messages?: StoredMessage[];
  /** The one user and password. Default "alice" / "wonderland". */
  user?: string;
  password?: string;
}

/** A running misbehaving POP3 server. */
export interface MisbehavingPop3Server extends MisbehavingServer {
  /** The messages still in the mailbox (QUIT removes the ones marked with DELE). */
  readonly mailbox: readonly StoredMessage[];
  /** How many sessions ended with QUIT. */
  readonly quits: number;
}

const encoder = new TextEncoder();

/**
 * Three messages that test what a POP3 client must undo: a line holding a single dot, a
 * line starting with dots, 8-bit text, a long body.
 */
export function sampleMailbox(): StoredMessage[] {
  const texts = [
    "From: bob@example.org\r\nTo: alice@localhost\r\nSubject: Hello\r\n\r\nHi Alice,\r\nsee you at noon.\r\n",
    "From: bob@example.org\r\nTo: alice@localhost\r\nSubject: Dots\r\n\r\nA single dot follows:\r\n.\r\n..two dots, and one:\r\n.x\r\n",
    "From: 张伟 <zhang@example.org>\r\nTo: alice@localhost\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n你好, Alice.\r\n" +
    "line of a longer body\r\n".repeat(60),
  ];
  return texts.map((text, i) => ({ uid: `msg-${i + 1}-uid`, bytes: encoder.encode(text) }));
}

/**
 * Serve POP3 on 127.0.0.1, misbehaving as the scenario says.
 *
 * @example Our client copes with bare LF line ends
 * ```ts
 * import { serveMisbehavingPop3 } from "./pop3.ts";
 * import { Pop3Client } from "../pop3/mod.ts";
 * await using server = serveMisbehavingPop3({ scenario: "lf-endings" });
 * await using client = await Pop3Client.connect(server.port, { timeoutMs: 2000 });
 * await client.login("alice", "wonderland");
 * const message = await client.retr(2);
 * await client.quit();
 * if (new TextDecoder().decode(message) !== new TextDecoder().decode(server.mailbox[1].bytes)) throw new Error();
 * ```
 */
export function serveMisbehavingPop3(options: MisbehavingPop3Options): MisbehavingPop3Server {
  const state = {
    mailbox: options.messages ?? sampleMailbox(),
    quits: 0,
  };
  const user = options.user ?? "alice";
  const password = options.password ?? "wonderland";
  const server = serveMisbehaving(
    options,
    ["server", "client"],
    (conn, scenario) => session(conn, scenario, state, user, password),
  );
  return Object.defineProperties(server, {
    mailbox: { get: () => state.mailbox },
    quits: { get: () => state.quits },
  }) as MisbehavingPop3Server;
}

async function session(
  conn: Connection,
  scenario: Scenario,
  state: { mailbox: StoredMessage[]; quits: number },
  user: string,
  password: string,
): Promise<void> {
  const ok = (text: string) => conn.wire.text(`+OK ${text}\r\n`);
  const err = (text: string) => conn.wire.text(`-ERR ${text}\r\n`);
  switch (scenario.name) {
    case "close-before-greeting":
      return;
    case "endless-line":
      return await endlessLine(conn, "+OK ");
    case "busy-once":
      if (conn.index === 0) return await err("[SYS/TEMP] Too busy right now, try again later");
      break;
    case "slow-greeting":
      await pause(SLOW_GREETING_MS, conn.closing);
      break;
    case "huge-line":
      await ok(`POP3 ready ${"x".repeat(HUGE_LINE_BYTES)}`);
      break;
  }
  if (scenario.name !== "huge-line") await ok(`POP3 misbehaving (${scenario.name}) ready`);

  const reader = new LineReader(conn.io, { maxLineLength: 255 });
  let named: string | null = null;
  let loggedIn = false;
  // A snapshot numbered 1..n for this session; marks apply on QUIT.
  let messages = state.mailbox;
  const marked = new Set<number>();
  /** Set once we refused or misanswered: only QUIT may follow. */
  let refused: string | null = null;
  const message = (arg: string | undefined) => {
    const n = Number(arg);
    return Number.isInteger(n) && n >= 1 && n <= messages.length && !marked.has(n) ? n : null;
  };
  while (true) {
    let line;
    try {
      line = await reader.readLine();
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      await err("Line too long");
      continue;
    }
    if (line === null) return; // no QUIT: nothing is removed (RFC 1939 6)
    const [verb = "", ...args] = line.text.split(" ");
    const command = verb.toUpperCase();
    if (refused && command !== "QUIT") {
      conn.violation(`sent ${command} after ${refused}`);
    }
    if (!loggedIn && !["USER", "PASS", "CAPA", "QUIT"].includes(command)) {
      await err("Log in first");
      continue;
    }
    const live = () => messages.map((m, i) => ({ m, n: i + 1 })).filter(({ n }) => !marked.has(n));
    switch (command) {
      case "CAPA":
        await conn.wire.text("+OK Capability list follows\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n");
        break;
      case "USER":
        named = args[0] ?? null;
        await ok("Send your password");
        break;
      case "PASS":
        if (scenario.name === "stall-mid-reply") {
          await conn.wire.text("+OK maildrop lo");
          return await stall(conn);
        }
        if (scenario.name === "transient-error") {
          await err("[SYS/TEMP] Maildrop temporarily unavailable, try again later");
          refused = "PASS was refused with [SYS/TEMP]";
        } else if (named !== user || args.join(" ") !== password) {
          await err("[AUTH] Wrong user name or password");
        } else {
          loggedIn = true;
          messages = state.mailbox;
          // Wrong: a status line must start with +OK or -ERR (RFC 1939 3).
          if (scenario.name === "wrong-code") {
            await conn.wire.text("OK maildrop ready\r\n");
            refused = "PASS was answered with neither +OK nor -ERR";
          } else await ok(`maildrop has ${messages.length} messages`);
        }
        break;
      case "STAT": {
        const all = live();
        await ok(`${all.length} ${all.reduce((s, { m }) => s + m.bytes.length, 0)}`);
        break;
      }
      case "LIST":
      case "UIDL": {
        const value = (m: StoredMessage) => command === "LIST" ? m.bytes.length : m.uid;
        if (args[0] !== undefined) {
          const n = message(args[0]);
          if (n === null) await err("No such message");
          else await ok(`${n} ${value(messages[n - 1])}`);
        } else {
          const lines = live().map(({ m, n }) => `${n} ${value(m)}\r\n`).join("");
          await conn.wire.text(`+OK listing follows\r\n${lines}.\r\n`);
        }
        break;
      }
      case "RETR":
      case "TOP": {
        const n = message(args[0]);
        const lines = command === "TOP" ? Number(args[1]) : undefined;
        if (n === null || (lines !== undefined && !(Number.isInteger(lines) && lines >= 0))) {
          await err("No such message");
          break;
        }
        const bytes = messages[n - 1].bytes;
        const body = encodeMessage(bytes, lines);
        const head = encoder.encode(`+OK ${bytes.length} octets\r\n`);
        if (scenario.name === "close-mid-transfer") {
          // Half the message, then hang up: no terminating dot ever comes.
          await conn.wire.text(concatBytes([head, body.subarray(0, Math.floor(body.length / 2))]));
          return;
        }
        await conn.wire.text(concatBytes([head, body]));
        break;
      }
      case "DELE": {
        const n = message(args[0]);
        if (n === null) await err("No such message");
        else {
          marked.add(n);
          await ok(`message ${n} deleted`);
        }
        break;
      }
      case "RSET":
        marked.clear();
        await ok("marks removed");
        break;
      case "NOOP":
        await ok("");
        break;
      case "QUIT":
        if (loggedIn) {
          state.mailbox = messages.filter((_, i) => !marked.has(i + 1));
          state.quits++;
        }
        await ok("Bye");
        return;
      default:
        await err("Unknown command");
    }
  }
}
