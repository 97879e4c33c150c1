/**
 * A misbehaving SMTP server: enough of RFC 5321 to take a message (EHLO, MAIL, RCPT,
 * DATA with dot-stuffing, RSET, NOOP, QUIT), with one scenario's misbehaviour mixed in.
 * What it accepted with 250 is kept in `messages`, so a grader can check that a client
 * delivered exactly once, byte for byte, or not at all.
 *
 * @module
 */

import { LineReader, LineTooLongError } from "../net/mod.ts";
import { readDataBlock } from "../smtp/data.ts";
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

/** A message the server acknowledged with 250. */
export interface AcceptedMessage {
  from: string;
  to: string[];
  /** The message as the client meant it: dot-stuffing undone, CRLF line ends. */
  data: Uint8Array;
}

/** Options for {@linkcode serveMisbehavingSmtp}. */
export interface MisbehavingSmtpOptions extends MisbehavingOptions {
  /** Our name in the greeting. Default "mx.test". */
  hostname?: string;
}

/** A running misbehaving SMTP server. */
export interface MisbehavingSmtpServer extends MisbehavingServer {
  /** Messages acknowledged with 250, in order. */
  readonly messages: readonly AcceptedMessage[];
}

/**
 * Serve SMTP on 127.0.0.1, misbehaving as the scenario says.
 *
 * @example A client that copes with one-byte writes
 * ```ts
 * import { serveMisbehavingSmtp } from "./smtp.ts";
 * import { sendMail } from "../smtp/mod.ts";
 * await using server = serveMisbehavingSmtp({ scenario: "one-byte-writes" });
 * await sendMail({ port: server.port, from: "a@b.test", to: ["c@mx.test"], data: "Subject: x\r\n\r\nhi\r\n" });
 * if (server.messages.length !== 1) throw new Error("not delivered");
 * ```
 */
export function serveMisbehavingSmtp(options: MisbehavingSmtpOptions): MisbehavingSmtpServer {
  const messages: AcceptedMessage[] = [];
  const hostname = options.hostname ?? "mx.test";
  const server = serveMisbehaving(
    options,
    ["server", "client"],
    (conn, scenario) => session(conn, scenario, hostname, messages),
  );
  return Object.assign(server, { messages });
}

/** Format a reply; the multi-line scenario spreads even one-line replies over three lines. */
function replyText(scenario: Scenario, code: number, text: string, extra: string[] = []): string {
  const lines = scenario.name === "multi-line-replies" && extra.length === 0
    ? [text, "this reply has more lines", "than you might expect"]
    : [text, ...extra];
  return lines.map((line, i) => `${code}${i < lines.length - 1 ? "-" : " "}${line}\r\n`).join("");
}

async function session(
  conn: Connection,
  scenario: Scenario,
  hostname: string,
  messages: AcceptedMessage[],
): Promise<void> {
  const say = (code: number, text: string, extra?: string[]) =>
    conn.wire.text(replyText(scenario, code, text, extra));
  switch (scenario.name) {
    case "close-before-greeting":
      return;
    case "endless-line":
      return await endlessLine(conn, `220 ${hostname} `);
    case "busy-once":
      if (conn.index === 0) {
        // RFC 5321 3.1 and 4.2.5: 421 instead of the greeting, then close.
        return await say(421, "4.3.2 Too busy right now, try again later");
      }
      break;
    case "slow-greeting":
      await pause(SLOW_GREETING_MS, conn.closing);
  }
  await say(220, `${hostname} ESMTP misbehaving (${scenario.name})`);

  const reader = new LineReader(conn.io, { maxLineLength: 4096 });
  let from: string | null = null;
  let to: string[] = [];
  /** Set once we refused or misanswered: what the client may still send. */
  let refused: string | null = null;
  /** Bytes a pipelining client had already sent when we refused (RFC 2920): not its fault. */
  let pipelined = 0;
  const refuse = (why: string) => {
    refused = why;
    pipelined = reader.buffered;
  };
  while (true) {
    let line;
    try {
      line = await reader.readLine();
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      await say(500, "5.5.2 Line too long");
      continue;
    }
    if (line === null) return;
    const text = line.text;
    const verb = text.slice(0, 4).toUpperCase();
    const path = /^(?:MAIL FROM|RCPT TO):\s*<([^>]*)>/i.exec(text)?.[1];
    if (pipelined > 0) pipelined -= line.bytes.length + (line.ending === "CRLF" ? 2 : 1);
    else if (refused && !["QUIT", "RSET", "NOOP"].includes(verb)) {
      conn.violation(`sent ${JSON.stringify(text.slice(0, 40))} after ${refused}`);
    }
    switch (verb) {
      case "EHLO":
      case "HELO":
        if (scenario.name === "stall-mid-reply") {
          await conn.wire.text(`250-${hostname} gre`);
          return await stall(conn);
        }
        from = null;
        to = [];
        if (verb === "HELO") {
          await say(250, hostname);
        } else {
          const extra = ["PIPELINING", "8BITMIME", "SIZE 10485760"];
          if (scenario.name === "huge-line") extra.unshift(`X-HUGE ${"x".repeat(HUGE_LINE_BYTES)}`);
          await say(250, `${hostname} greets you`, extra);
        }
        break;
      case "MAIL":
        if (path === undefined) {
          await say(501, "5.5.4 Syntax: MAIL FROM:<address>");
        } else if (scenario.name === "transient-error") {
          await say(451, "4.3.0 Mail system temporarily unavailable, try again later");
          refuse("MAIL was refused with 451");
        } else {
          from = path;
          to = [];
          await say(250, "2.1.0 Sender ok");
        }
        break;
      case "RCPT":
        if (from === null) await say(503, "5.5.1 MAIL first");
        else if (path === undefined) await say(501, "5.5.4 Syntax: RCPT TO:<address>");
        else {
          to.push(path);
          await say(250, "2.1.5 Recipient ok");
        }
        break;
      case "DATA": {
        if (from === null || to.length === 0) {
          await say(503, "5.5.1 MAIL and RCPT first");
          break;
        }
        if (scenario.name === "wrong-code") {
          // Wrong: DATA deserves 354. A client that sends its message anyway has its
          // lines read as commands (and answered with 500).
          await say(250, "2.0.0 Ok");
          refuse("DATA was answered with 250, not 354");
          break;
        }
        await say(354, "End data with <CR><LF>.<CR><LF>");
        if (scenario.name === "close-mid-transfer") {
          await reader.readLine(); // one line of the message, then hang up
          return;
        }
        const block = await readDataBlock(reader, { maxSize: 10 * 1024 * 1024 });
        if (block.kind === "vanished") return;
        if (block.kind === "refused") {
          await say(block.error.code, `${block.error.enhanced} ${block.error.text}`);
        } else {
          messages.push({ from, to, data: block.bytes });
          await say(250, `2.0.0 Ok: queued as M${messages.length}`);
        }
        from = null;
        to = [];
        break;
      }
      case "RSET":
        from = null;
        to = [];
        await say(250, "2.0.0 Ok");
        break;
      case "NOOP":
        await say(250, "2.0.0 Ok");
        break;
      case "QUIT":
        await say(221, "2.0.0 Bye");
        return;
      default:
        await say(500, "5.5.2 Command not recognized");
    }
  }
}
