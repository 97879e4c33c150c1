// Mistake: hangs up right after the reply, without QUIT.
import { connectLoopback } from "../../../lib/net/loopback.ts";
import { LineReader } from "../../../lib/net/line_reader.ts";
import { LineWriter } from "../../../lib/net/line_writer.ts";

export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn);
  const writer = new LineWriter(conn);
  await reader.readLine();
  await writer.writeLine(command);
  return (await reader.readLine())!.text;
}
