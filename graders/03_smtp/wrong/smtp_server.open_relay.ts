/**
 * Wrong answer: accepts recipients in any domain: an open relay.
 *
 * @module
 */

import { LineReader, LineTooLongError, LineWriter, serveLoopback } from "../../../lib/net/mod.ts";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** Our name: in the greeting, and the one domain we accept mail for. */
  hostname: string;
}

/** A message the server accepted with 250. */
export interface ReceivedMessage {
  /** The MAIL FROM address (may be "" for a bounce). */
  from: string;
  /** The accepted RCPT TO addresses, in order. */
  to: string[];
  /** The message, dot-stuffing undone, every line ending in CRLF. */
  data: Uint8Array;
}

/** A running server. */
export interface RunningServer {
  /** The port on 127.0.0.1. */
  port: number;
  /** Every message accepted so far, oldest first. */
  messages(): ReceivedMessage[];
  /** Stop listening and close every connection. */
  close(): Promise<void>;
}

/** The envelope of the transaction under way (RFC 5321 3.3). */
export interface Transaction {
  from: string | null;
  to: string[];
}

const CRLF = new Uint8Array([13, 10]);

/** Start the server on a free port of 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const received: ReceivedMessage[] = [];
  const domain = options.hostname.toLowerCase();
  const server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn, { maxLineLength: 1000, idleTimeoutMs: 60_000 });
    const writer = new LineWriter(conn);
    const reply = (code: number, ...lines: string[]) =>
      writer.writeLines(lines.map((l, i) => `${code}${i < lines.length - 1 ? "-" : " "}${l}`));
    let helo = false;
    const tx: Transaction = { from: null, to: [] };
    const reset = () => {
      tx.from = null;
      tx.to = [];
    };
    await reply(220, `${options.hostname} ESMTP ready`);
    while (true) {
      let line;
      try {
        line = await reader.readLine();
      } catch (error) {
        if (error instanceof LineTooLongError) {
          await reply(500, "5.5.2 Line too long");
          continue;
        }
        return; // idle: drop the client
      }
      if (line === null) return;
      const text = line.text;
      const verb = text.split(" ", 1)[0].toUpperCase();
      const path = /^(?:MAIL FROM|RCPT TO):<([^<>\s]*)>(?: .*)?$/i.exec(text)?.[1];
      switch (verb) {
        case "EHLO":
          helo = true;
          reset();
          await reply(250, `${options.hostname} hello`, "PIPELINING", "8BITMIME", "SIZE 10485760");
          break;
        case "HELO":
          helo = true;
          reset();
          await reply(250, options.hostname);
          break;
        case "MAIL":
          if (!helo) await reply(503, "5.5.1 Say EHLO first");
          else if (tx.from !== null) await reply(503, "5.5.1 Nested MAIL command");
          else if (path === undefined) await reply(501, "5.5.4 Syntax: MAIL FROM:<address>");
          else {
            tx.from = path;
            await reply(250, "2.1.0 Ok");
          }
          break;
        case "RCPT":
          if (tx.from === null) await reply(503, "5.5.1 Need MAIL first");
          else if (path === undefined) await reply(501, "5.5.4 Syntax: RCPT TO:<address>");
          else if (!path.includes("@") && domain === "") {
            await reply(550, "5.7.1 Relay access denied");
          } else {
            tx.to.push(path);
            await reply(250, "2.1.5 Ok");
          }
          break;
        case "DATA": {
          if (tx.from === null || tx.to.length === 0) {
            await reply(503, "5.5.1 Need MAIL and RCPT first");
            break;
          }
          await reply(354, "End data with <CR><LF>.<CR><LF>");
          const parts: Uint8Array[] = [];
          while (true) {
            let data;
            try {
              data = await reader.readLine();
            } catch (error) {
              if (error instanceof LineTooLongError) continue; // keep reading to the dot
              return;
            }
            if (data === null) return; // vanished mid-DATA: nothing stored
            if (data.text === ".") break;
            const bytes = data.bytes[0] === 0x2e ? data.bytes.subarray(1) : data.bytes;
            parts.push(bytes, CRLF);
          }
          const size = parts.reduce((n, p) => n + p.length, 0);
          const message = new Uint8Array(size);
          let at = 0;
          for (const p of parts) {
            message.set(p, at);
            at += p.length;
          }
          received.push({ from: tx.from, to: [...tx.to], data: message });
          reset();
          await reply(250, "2.0.0 Ok: queued");
          break;
        }
        case "RSET":
          reset();
          await reply(250, "2.0.0 Ok");
          break;
        case "NOOP":
          await reply(250, "2.0.0 Ok");
          break;
        case "QUIT":
          await reply(221, "2.0.0 Bye");
          return;
        default:
          await reply(500, "5.5.2 Command not recognized");
      }
    }
  });
  await Promise.resolve();
  return {
    port: server.port,
    messages: () => received.map((m) => ({ ...m, to: [...m.to] })),
    close: () => server.close(),
  };
}
