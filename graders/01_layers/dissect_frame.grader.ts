/**
 * Grader for dissecting a loopback frame by hand: frames from the shipped SMTP capture
 * (TCP options on every segment), and frames built with lib/packet to probe IHL > 5,
 * sequence numbers above 2^31, and link-layer padding after the datagram.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import { dissectFrame } from "../../lib/packet/dissect.ts";
import { buildIpv4 } from "../../lib/packet/ipv4.ts";
import { buildLink, LOOPBACK_ETHERNET } from "../../lib/packet/link.ts";
import { readPcap } from "../../lib/packet/pcap.ts";
import { buildTcp, type TcpFields } from "../../lib/packet/tcp.ts";

type Impl = typeof import("../../exercises/01_layers/dissect_frame.ts");

async function capturedFrames(): Promise<Uint8Array[]> {
  const url = new URL("../../fixtures/captures/smtp-session.pcap", import.meta.url);
  return readPcap(await Deno.readFile(url)).packets.map((p) => p.data);
}

function frame(tcp: TcpFields, payload: string, ipOptions?: Uint8Array): Uint8Array {
  const addresses = { source: "127.0.0.1", destination: "127.0.0.1" };
  const segment = buildTcp(tcp, new TextEncoder().encode(payload), addresses);
  return new Uint8Array([
    ...buildLink(LOOPBACK_ETHERNET),
    ...buildIpv4({ ...addresses, options: ipOptions }, segment),
  ]);
}

/** What lib/packet reads from the same frame: the expected answer. */
function expected(data: Uint8Array) {
  const f = dissectFrame(data, 1);
  const t = f.tcp!;
  return {
    sourcePort: t.sourcePort,
    destinationPort: t.destinationPort,
    seq: t.seq,
    ack: t.ack,
    flags: {
      syn: t.flags.syn,
      ack: t.flags.ack,
      fin: t.flags.fin,
      rst: t.flags.rst,
      psh: t.flags.psh,
    },
    payload: new TextDecoder().decode(f.payload),
  };
}

export default defineExercise<Impl>({
  title: "Dissect a loopback frame",
  hints: [
    "Use a DataView for multi-byte fields: view.getUint16(offset) and view.getUint32(offset) read big-endian (network order) and unsigned.",
    "The TCP header starts at 14 + IHL * 4, where IHL = frame[14] & 0x0f. Do not assume 20: options make IP headers longer.",
    "The payload starts at TCP start + (frame[tcp + 12] >> 4) * 4 (loopback segments carry 12 bytes of timestamp options) and ends at 14 + IP total length.",
  ],
  checks: [
    {
      name: "dissectLoopbackFrame() reads ports, seq, ack and flags of the captured SYN",
      points: 2,
      hint:
        "Ports are bytes 0-1 and 2-3 of the TCP header; seq 4-7; ack 8-11; flags are byte 13 (SYN 0x02, ACK 0x10).",
      async run(impl) {
        const [syn] = await capturedFrames();
        const got = impl.dissectLoopbackFrame(syn);
        const want = expected(syn);
        assert.deepEqual({ ...got, payload: undefined }, { ...want, payload: undefined });
      },
    },
    {
      name: "dissectLoopbackFrame() returns exactly the payload of every captured segment",
      points: 3,
      hint:
        "TCP options (timestamps) sit between the 20 fixed header bytes and the data: skip data offset * 4 bytes.",
      async run(impl) {
        for (const [i, data] of (await capturedFrames()).entries()) {
          assert.deepEqual(impl.dissectLoopbackFrame(data), expected(data), `packet ${i + 1}`);
        }
      },
    },
    {
      name: "dissectLoopbackFrame() finds the TCP header after IPv4 options (IHL > 5)",
      points: 2,
      hint:
        "IHL, the low 4 bits of the first IPv4 byte, counts 32-bit words; 6 means a 24-byte header.",
      run(impl) {
        const data = frame(
          {
            sourcePort: 2525,
            destinationPort: 40000,
            seq: 1000,
            ack: 2000,
            flags: { ack: true, psh: true },
          },
          "250 OK\r\n",
          new Uint8Array([0x94, 0x04, 0x00, 0x00]),
        );
        assert.deepEqual(impl.dissectLoopbackFrame(data), expected(data));
      },
    },
    {
      name: "dissectLoopbackFrame() reads sequence numbers above 2^31 as unsigned",
      points: 2,
      hint: "`b << 24` is negative when b >= 128. Use view.getUint32(), or finish with `>>> 0`.",
      run(impl) {
        const data = frame(
          {
            sourcePort: 40000,
            destinationPort: 25,
            seq: 0xfffffff0,
            ack: 0x80000001,
            flags: { ack: true, fin: true },
          },
          "",
        );
        const got = impl.dissectLoopbackFrame(data);
        assert.equal(got.seq, 0xfffffff0);
        assert.equal(got.ack, 0x80000001);
        assert.equal(got.flags.fin, true);
      },
    },
    {
      name: "dissectLoopbackFrame() stops the payload where the IP datagram ends",
      points: 1,
      hint:
        "Frames can carry padding after the datagram: the payload ends at 14 + total length (IPv4 bytes 2-3).",
      run(impl) {
        const data = frame(
          { sourcePort: 25, destinationPort: 40000, flags: { ack: true } },
          "221 Bye\r\n",
        );
        const padded = new Uint8Array([...data, 0, 0, 0, 0]);
        assert.equal(impl.dissectLoopbackFrame(padded).payload, "221 Bye\r\n");
      },
    },
  ],
});
