// Mistake: sends the command before reading the greeting, then takes the greeting for the reply.
import { connectLoopback } from "../../../lib/net/loopback.ts";
import { LineReader } from "../../../lib/net/line_reader.ts";
import { LineWriter } from "../../../lib/net/line_writer.ts";

export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn);
  const writer = new LineWriter(conn);
  await writer.writeLine(command);
  const reply = (await reader.readLine())!.text;
  await writer.writeLine("QUIT");
  return reply;
}
