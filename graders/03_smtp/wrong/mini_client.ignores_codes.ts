// Mistake: reads the replies but never checks their codes, so a refused recipient goes unnoticed.
import { connectLoopback, LineReader, LineWriter } from "../../../lib/net/mod.ts";

/** Deliver `message`. */
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
    const reply = async (): Promise<string> => {
      let line;
      do {
        line = await reader.readLine();
        if (line === null) return "";
      } while (line.text[3] === "-");
      return line.text;
    };
    await reply();
    await writer.writeLine("EHLO localhost");
    await reply();
    await writer.writeLine(`MAIL FROM:<${from}>`);
    await reply();
    await writer.writeLine(`RCPT TO:<${to}>`);
    await reply();
    await writer.writeLine("DATA");
    await reply();
    const body = message.endsWith("\r\n") ? message.slice(0, -2) : message;
    await writer.writeLines([
      ...body.split("\r\n").map((l) => l.startsWith(".") ? "." + l : l),
      ".",
    ]);
    const last = await reply();
    await writer.writeLine("QUIT");
    await reply();
    return last;
  } finally {
    conn.close();
  }
}
