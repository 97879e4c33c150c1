/**
 * Records the capture files the course ships in `fixtures/captures/`, for learners whose
 * machine does not let them capture live.
 *
 * How they were recorded: on Debian 12 (Linux loopback, tcpdump 4.99.3, libpcap 1.10.3),
 * as root, with
 *
 *     deno run -A tools/record_capture.ts
 *
 * Each exchange below runs between a scripted server and a scripted client in this one
 * process, on 127.0.0.1 with an OS-chosen port, while `captureLoopback()` (lib/packet)
 * runs `tcpdump -i lo -U --immediate-mode -w - "tcp port <port>"`. Running it again gives
 * the same segments, flags, lengths and payloads; ports, initial sequence numbers, IP ids,
 * TCP timestamps and capture times differ each run (the kernel picks them at random, as
 * RFC 6528 wants), so the files are not byte-identical.
 *
 * - `smtp-session.pcap`: a minimal SMTP dialogue (greeting, EHLO, MAIL FROM, RCPT TO,
 *   DATA, QUIT) between the scripted server and client of `lib/packet/scripted_smtp.ts`
 *   (just enough SMTP for a capture; chapter 3 has the real server), the same exchange
 *   chapter 1 captures live.
 * - `tcp-lifecycle.pcap`: handshake, two lines each way, the client's half-close
 *   (shutdown of its write side: FIN), the server's last line after it, then the server's
 *   close (FIN) and the client's ack. For chapter 2.
 *
 * @module
 */

import { captureLoopback } from "../lib/packet/capture.ts";
import { scriptedSmtpClient, scriptedSmtpServer } from "../lib/packet/scripted_smtp.ts";
import { tcpSegments } from "../lib/packet/segments.ts";
import { connectLoopback, LineReader, LineWriter, serveLoopback } from "../lib/net/mod.ts";

const OUT = new URL("../fixtures/captures/", import.meta.url);
const TIMEOUT = { idleTimeoutMs: 5000 };

/** Server of the lifecycle capture: echo each line; after the client's FIN, say goodbye. */
async function lifecycleServer(conn: Deno.TcpConn): Promise<void> {
  const reader = new LineReader(conn, TIMEOUT);
  const writer = new LineWriter(conn);
  let line;
  while ((line = await reader.readLine()) !== null) await writer.writeLine(`got ${line.text}`);
  // The client shut down its sending side; we can still send (half-close, RFC 9293 3.6).
  await writer.writeLine("bye after your FIN");
}

async function lifecycleClient(port: number): Promise<void> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, TIMEOUT);
  const writer = new LineWriter(conn);
  for (const text of ["one", "two"]) {
    await writer.writeLine(text);
    await reader.readLine();
  }
  await conn.closeWrite(); // FIN: no more from us, but keep reading
  while (await reader.readLine() !== null) { /* read until the server's FIN */ }
}

async function record(
  name: string,
  handler: (conn: Deno.TcpConn) => Promise<void>,
  client: (port: number) => Promise<void>,
): Promise<void> {
  await using server = serveLoopback(handler);
  const { bytes, pcap } = await captureLoopback(`tcp port ${server.port}`, async () => {
    await client(server.port);
    await server.close(); // wait for the handler, so its last segments are in the capture
  });
  await Deno.writeFile(new URL(`${name}.pcap`, OUT), bytes);
  const segments = tcpSegments(pcap);
  console.log(`${name}.pcap: ${pcap.packets.length} packets, ${bytes.length} bytes`);
  for (const s of segments) {
    console.log(
      `  ${s.from} > ${s.to} seq ${s.relativeSeq} ack ${s.relativeAck} len ${s.payloadLength}`,
    );
  }
}

if (import.meta.main) {
  await Deno.mkdir(OUT, { recursive: true });
  await record("smtp-session", scriptedSmtpServer, async (port) => {
    await scriptedSmtpClient(port);
  });
  await record("tcp-lifecycle", lifecycleServer, lifecycleClient);
}
