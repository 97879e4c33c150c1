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
 *   DATA, QUIT). The responder here is a script, not a mail server: just enough SMTP for
 *   a capture (chapter 3 has the real one).
 * - `tcp-lifecycle.pcap`: handshake, two lines each way, the client's half-close
 *   (shutdown of its write side: FIN), the server's last line after it, then the server's
 *   close (FIN) and the client's ack. For chapter 2.
 *
 * @module
 */

import { captureLoopback } from "../lib/packet/capture.ts";
import { tcpSegments } from "../lib/packet/segments.ts";
import { connectLoopback, LineReader, LineWriter, serveLoopback } from "../lib/net/mod.ts";

const OUT = new URL("../fixtures/captures/", import.meta.url);
const TIMEOUT = { idleTimeoutMs: 5000 };

/** Just enough of an SMTP server (RFC 5321 4.1) to be captured. */
async function smtpResponder(conn: Deno.TcpConn): Promise<void> {
  const reader = new LineReader(conn, TIMEOUT);
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
      return; // the server closes first, as RFC 5321 4.1.1.10 says
    } else await writer.writeLine("502 5.5.2 Command not recognized");
  }
}

/** The client side: one message, each command waiting for its reply. */
async function smtpClient(port: number): Promise<void> {
  using conn = await connectLoopback(port);
  const reader = new LineReader(conn, TIMEOUT);
  const writer = new LineWriter(conn);
  const reply = async () => {
    let line;
    do line = await reader.readLine(); while (line && line.text[3] === "-");
    if (!line) throw new Error("Cannot record: the server closed early");
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
  await writer.writeLines([
    "From: alice@example.test",
    "To: bob@example.test",
    "Subject: Hello over loopback",
    "",
    "Hi Bob, this line rides in one TCP segment.",
    ".",
  ]);
  await reply();
  await writer.writeLine("QUIT");
  await reply();
  if (await reader.readLine() !== null) {
    throw new Error("Cannot record: expected the server to close");
  }
}

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
  await record("smtp-session", smtpResponder, smtpClient);
  await record("tcp-lifecycle", lifecycleServer, lifecycleClient);
}
