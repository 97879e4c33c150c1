// Mistake: trims the reply, so spaces the server sent at its ends are lost.
import { connectLoopback } from "../../../lib/net/loopback.ts";
import { LineReader } from "../../../lib/net/line_reader.ts";
import { LineWriter } from "../../../lib/net/line_writer.ts";

/** Send one command to the TINY server on `port` and return its reply line. */
export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
  const writer = new LineWriter(conn);
  const readReply = async () => {
    const line = await reader.readLine();
    if (line === null) throw new Error("The server closed the connection early");
    return line.text.trim();
  };
  await readReply(); // the greeting
  await writer.writeLine(command);
  const reply = await readReply();
  await writer.writeLine("QUIT");
  await readReply(); // +OK bye
  return reply; // `using` closes the connection here
}
