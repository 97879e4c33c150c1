// Mistake: reads raw chunks with conn.read() and returns them as they came, CRLF included.
import { connectLoopback } from "../../../lib/net/loopback.ts";

export async function askTiny(port: number, command: string): Promise<string> {
  using conn = await connectLoopback(port);
  const buffer = new Uint8Array(1024);
  const readChunk = async () =>
    new TextDecoder().decode(buffer.subarray(0, (await conn.read(buffer)) ?? 0));
  const send = (text: string) => conn.write(new TextEncoder().encode(text + "\r\n"));
  await readChunk();
  await send(command);
  const reply = await readChunk();
  await send("QUIT");
  await readChunk();
  return reply;
}
