/**
 * `deno task record-captures`: record the capture files the course ships in
 * `fixtures/captures/`, for learners whose machine does not let them capture live, by
 * running the very experiments the chapters run (the same library functions) under
 * tcpdump on the loopback interface.
 *
 * - `smtp-session.pcap`: chapter 1's scripted SMTP dialogue (`scriptedSmtpExchange`).
 * - `tcp-lifecycle.pcap`: chapter 2's half-close experiment (`halfCloseExperiment`):
 *   handshake, a request, the client's FIN, the server's answer after it, the close.
 * - `tcp-loss.pcap` and `tcp-loss.json`: chapter 2's loss experiment (`lossExperiment`):
 *   two segments lost on purpose and repaired by TCP; the JSON keeps the write times and
 *   which mechanism dropped the segments (netem where the kernel has it, else iptables).
 *
 * Needs root (tcpdump, and tc or iptables for the loss experiment). Ports, initial
 * sequence numbers, IP ids, timestamps and times differ on every run (the kernel picks
 * them), so the files are never byte-identical, but segments, flags, lengths and payloads
 * are. tests/shipped_captures_test.ts checks that every number the chapters state about a
 * shipped capture is what the file holds.
 *
 * Where they were recorded is printed at the end and kept in `fixtures/captures/README.md`.
 *
 * @module
 */

import { captureLoopback, type LiveCapture } from "../lib/packet/capture.ts";
import { scriptedSmtpExchange } from "../lib/packet/scripted_smtp.ts";
import { tcpSegments } from "../lib/packet/segments.ts";
import { halfCloseExperiment } from "../lib/tcp/half_close.ts";
import { LOSS_CAPTURE, lossExperiment } from "../lib/tcp/loss.ts";

const OUT = new URL("../fixtures/captures/", import.meta.url);

async function save(name: string, capture: LiveCapture<unknown>): Promise<void> {
  await Deno.writeFile(new URL(`${name}.pcap`, OUT), capture.bytes);
  console.log(
    `${name}.pcap: ${capture.pcap.packets.length} packets, ${capture.bytes.length} bytes`,
  );
  for (const s of tcpSegments(capture.pcap)) {
    console.log(
      `  ${s.from} > ${s.to} seq ${s.relativeSeq} ack ${s.relativeAck} len ${s.payloadLength}`,
    );
  }
}

async function kernelRelease(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/sys/kernel/osrelease")).trim();
  } catch {
    return Deno.build.os;
  }
}

if (import.meta.main) {
  await Deno.mkdir(OUT, { recursive: true });
  const filter = (port: number) => `tcp port ${port}`;

  await save(
    "smtp-session",
    await scriptedSmtpExchange((port, talk) => captureLoopback(filter(port), talk)),
  );

  let lifecycle: LiveCapture<void> | undefined;
  await halfCloseExperiment({
    around: async (port, client) => lifecycle = await captureLoopback(filter(port), client),
  });
  await save("tcp-lifecycle", lifecycle!);

  let loss: LiveCapture<void> | undefined;
  const writes = await lossExperiment({
    around: async (port, client) => loss = await captureLoopback(filter(port), client),
  });
  await save(LOSS_CAPTURE, loss!);
  await Deno.writeTextFile(
    new URL(`${LOSS_CAPTURE}.json`, OUT),
    JSON.stringify(writes, null, 2) + "\n",
  );
  console.log(`${LOSS_CAPTURE}.json: segments dropped by ${writes.dropper}`);
  console.log(`recorded on ${Deno.build.os} ${await kernelRelease()}, Deno ${Deno.version.deno}`);
}
