// Mistake: takes a closed connection for an empty reply instead of failing.
import { connectLoopback } from "../../../lib/net/loopback.ts";
import { LineReader } from "../../../lib/net/line_reader.ts";
import { LineWriter } from "../../../lib/net/line_writer.ts";

/** Send one command to the TINY server on `port` and return its reply line. */
export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, { idleTimeoutMs: 2000 });
  const writer = new LineWriter(conn);
  const readReply = async () => (await reader.readLine())?.text ?? "";
  await readReply(); // the greeting
  await writer.writeLine(command);
  const reply = await readReply();
  await writer.writeLine("QUIT").catch(() => {});
  await readReply();
  return reply;
}
