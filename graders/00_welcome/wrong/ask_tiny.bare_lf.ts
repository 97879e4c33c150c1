// Mistake: ends lines with "\n" alone, as Unix text files do, instead of CRLF.
import { connectLoopback } from "../../../lib/net/loopback.ts";
import { LineReader } from "../../../lib/net/line_reader.ts";

export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn);
  const send = (text: string) => conn.write(new TextEncoder().encode(text + "\n"));
  await reader.readLine();
  await send(command);
  const reply = (await reader.readLine())!.text;
  await send("QUIT");
  await reader.readLine();
  return reply;
}
