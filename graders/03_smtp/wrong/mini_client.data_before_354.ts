// Mistake: sends the message right after DATA without waiting for the server's 354.
import { connectLoopback, LineReader, LineWriter } from "../../../lib/net/mod.ts";

/** Deliver `message` from `from` to `to` through the SMTP server on 127.0.0.1:`port`. */
export async function deliver(
  port: number,
  from: string,
  to: string,
  message: string,
): Promise<string> {
  const conn = await connectLoopback(port, { timeoutMs: 5000 });
  try {
    const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
    const writer = new LineWriter(conn);
    const expect = async (what: string, code: number): Promise<string> => {
      let line;
      do {
        line = await reader.readLine();
        if (line === null) throw new Error(`${what}: the server closed the connection`);
      } while (line.text[3] === "-");
      if (!line.text.startsWith(String(code))) throw new Error(`${what} refused: ${line.text}`);
      return line.text;
    };
    await expect("greeting", 220);
    await writer.writeLine("EHLO localhost");
    await expect("EHLO", 250);
    await writer.writeLine(`MAIL FROM:<${from}>`);
    await expect("MAIL", 250);
    await writer.writeLine(`RCPT TO:<${to}>`);
    await expect("RCPT", 250);
    await writer.writeLine("DATA");
    const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
    const lines = body === "" ? [] : body.split("\r\n").map((l) => l.startsWith(".") ? "." + l : l);
    await writer.writeLines([...lines, "."]);
    await expect("DATA", 354);
    const reply = await expect("message", 250);
    await writer.writeLine("QUIT");
    await expect("QUIT", 221);
    return reply;
  } finally {
    conn.close();
  }
}
