/**
 * A scripted SMTP exchange to capture: just enough of both sides of RFC 5321 4.1
 * (greeting, EHLO, MAIL FROM, RCPT TO, DATA, QUIT) to put real application bytes on
 * the wire. It is not a mail server (chapter 3 has the real one); it exists so chapter 1
 * and `tools/record_capture.ts` capture the same dialogue.
 *
 * @module
 */

import { connectLoopback, LineReader, LineWriter, serveLoopback } from "../net/mod.ts";
import { tap, Transcript } from "../transcript/transcript.ts";

const IDLE = { idleTimeoutMs: 5000 };

/** The server side, for `serveLoopback(scriptedSmtpServer)`. */
export async function scriptedSmtpServer(conn: Deno.TcpConn): Promise<void> {
  const reader = new LineReader(conn, IDLE);
  const writer = new LineWriter(conn);
  await writer.writeLine("220 mx.example.test ESMTP ready");
  while (true) {
    const line = await reader.readLine();
    if (!line) return;
    const verb = line.text.slice(0, 4).toUpperCase();
    if (verb === "EHLO") {
      await writer.writeLines(["250-mx.example.test", "250-SIZE 1000000", "250 8BITMIME"]);
    } else if (verb === "MAIL") await writer.writeLine("250 2.1.0 Ok");
    else if (verb === "RCPT") await writer.writeLine("250 2.1.5 Ok");
    else if (verb === "DATA") {
      await writer.writeLine("354 End data with <CR><LF>.<CR><LF>");
      while (true) {
        const data = await reader.readLine();
        if (!data) return;
        if (data.text === ".") break;
      }
      await writer.writeLine("250 2.0.0 Ok: queued as 1");
    } else if (verb === "QUIT") {
      await writer.writeLine("221 2.0.0 Bye");
      return; // the server closes first (RFC 5321 4.1.1.10)
    } else await writer.writeLine("502 5.5.2 Command not recognized");
  }
}

/** The message the client sends, line by line (RFC 5322 headers, blank line, body). */
export const SCRIPTED_MESSAGE: readonly string[] = [
  "From: alice@example.test",
  "To: bob@example.test",
  "Subject: Hello over loopback",
  "",
  "Hi Bob, this line rides in one TCP segment.",
];

/**
 * The client side: one message, each command waiting for its reply, then QUIT and wait
 * for the server to close. Returns the dialogue as a transcript.
 *
 * @example
 * ```ts
 * import { serveLoopback } from "../net/mod.ts";
 * import { scriptedSmtpClient, scriptedSmtpServer } from "./scripted_smtp.ts";
 * await using server = serveLoopback(scriptedSmtpServer);
 * const transcript = await scriptedSmtpClient(server.port);
 * if (!transcript.toString().endsWith("S: 221 2.0.0 Bye")) throw new Error(transcript.toString());
 * ```
 */
export async function scriptedSmtpClient(port: number): Promise<Transcript> {
  const transcript = new Transcript();
  using raw = await connectLoopback(port);
  const conn = tap(raw, transcript, "client", "server");
  const reader = new LineReader(conn, IDLE);
  const writer = new LineWriter(conn);
  const reply = async () => {
    let line;
    do line = await reader.readLine(); while (line && line.text[3] === "-");
    if (!line) throw new Error("Cannot finish the SMTP exchange: the server closed early");
    return line.text;
  };
  await reply();
  for (
    const command of [
      "EHLO client.example.test",
      "MAIL FROM:<alice@example.test>",
      "RCPT TO:<bob@example.test>",
      "DATA",
    ]
  ) {
    await writer.writeLine(command);
    await reply();
  }
  await writer.writeLines([...SCRIPTED_MESSAGE, "."]);
  await reply();
  await writer.writeLine("QUIT");
  await reply();
  if (await reader.readLine() !== null) {
    throw new Error("Cannot finish the SMTP exchange: expected the server to close");
  }
  return transcript;
}

/**
 * Chapter 1's experiment: the scripted server on a free loopback port, and the client's
 * dialogue with it. `around` runs the dialogue (`talk`), e.g. inside a capture filtered on
 * the port; `talk` resolves once the server's side has finished too, so its last packets
 * are in. The server is closed on every path.
 *
 * @example
 * ```ts
 * import { scriptedSmtpExchange } from "./scripted_smtp.ts";
 * const dialogue = await scriptedSmtpExchange((_port, talk) => talk());
 * if (!dialogue.toString().includes("QUIT")) throw new Error(dialogue.toString());
 * ```
 */
export async function scriptedSmtpExchange<T>(
  around: (port: number, talk: () => Promise<Transcript>) => Promise<T>,
): Promise<T> {
  await using server = serveLoopback(scriptedSmtpServer);
  return await around(server.port, async () => {
    const dialogue = await scriptedSmtpClient(server.port);
    await server.close(); // wait for the server's side, so its last packets are in
    return dialogue;
  });
}
