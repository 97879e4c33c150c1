/**
 * tcpdump judges our dissector: for every packet of a capture, what `tcpdump -r -nn -v -S
 * -tt -x` prints must agree field by field with `dissectFrame()`: time, TTL, IP id, DF,
 * lengths, IP checksum status, ports, flags, seq, ack, window, options, TCP checksum
 * (stored value, and tcpdump's "correct" or "incorrect -> computed") and the bytes.
 * Run on both shipped captures and on a fresh live capture.
 *
 * @module
 */

import assert from "node:assert/strict";
import { requireTool, tool } from "./tools.ts";
import {
  captureLoopback,
  dissectFrame,
  formatFlags,
  liveCaptureAvailable,
  type PcapFile,
  readPcap,
  type TcpOption,
  writePcap,
} from "../lib/packet/mod.ts";
import { connectLoopback, LineReader, LineWriter, serveLoopback } from "../lib/net/mod.ts";

/** One packet as tcpdump printed it. */
interface TcpdumpPacket {
  time: string;
  ttl: number;
  id: number;
  df: boolean;
  ipLength: number;
  ipChecksumBad: boolean;
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  flags: string;
  checksum: number;
  checksumCorrect: boolean;
  computedChecksum?: number;
  seq?: number;
  ack?: number;
  window: number;
  options: string;
  length: number;
  hex: string;
}

const IP_LINE =
  /^(\d+\.\d{6}) IP \(tos 0x[0-9a-f]+,(?: ECT\(\d\),| CE,)? ttl (\d+), id (\d+), offset (\d+), flags \[([^\]]*)\], proto TCP \(6\), length (\d+)(, bad cksum [0-9a-f]+ \(->[0-9a-f]+\)!)?\)$/;
const TCP_LINE =
  /^\s+([\d.]+)\.(\d+) > ([\d.]+)\.(\d+): Flags \[([^\]]+)\], cksum 0x([0-9a-f]{4}) \((correct|incorrect -> 0x([0-9a-f]{4}))\), (?:seq (\d+)(?::\d+)?, )?(?:ack (\d+), )?win (\d+), (?:urg \d+, )?(?:options \[([^\]]*)\], )?length (\d+)/;

function parseTcpdump(text: string): TcpdumpPacket[] {
  const packets: TcpdumpPacket[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const ip = IP_LINE.exec(lines[i]);
    if (!ip) continue;
    const tcp = TCP_LINE.exec(lines[i + 1] ?? "");
    if (!tcp) throw new Error(`Cannot parse tcpdump's TCP line: ${lines[i + 1]}`);
    let hex = "";
    for (let j = i + 2; j < lines.length && /^\s+0x[0-9a-f]{4}:/.test(lines[j]); j++) {
      hex += lines[j].replace(/^\s+0x[0-9a-f]{4}:\s+/, "").replace(/\s+/g, "");
    }
    packets.push({
      time: ip[1],
      ttl: Number(ip[2]),
      id: Number(ip[3]),
      df: ip[5].includes("DF"),
      ipLength: Number(ip[6]),
      ipChecksumBad: ip[7] !== undefined,
      source: tcp[1],
      sourcePort: Number(tcp[2]),
      destination: tcp[3],
      destinationPort: Number(tcp[4]),
      flags: tcp[5],
      checksum: parseInt(tcp[6], 16),
      checksumCorrect: tcp[7] === "correct",
      computedChecksum: tcp[8] ? parseInt(tcp[8], 16) : undefined,
      seq: tcp[9] ? Number(tcp[9]) : undefined,
      ack: tcp[10] ? Number(tcp[10]) : undefined,
      window: Number(tcp[11]),
      options: tcp[12] ?? "",
      length: Number(tcp[13]),
      hex,
    });
  }
  return packets;
}

/** Our options the way tcpdump prints them. */
function tcpdumpOptions(options: TcpOption[]): string {
  return options.map((o) => {
    switch (o.kind) {
      case "mss":
        return `mss ${o.value}`;
      case "sackPermitted":
        return "sackOK";
      case "timestamps":
        return `TS val ${o.value} ecr ${o.echo}`;
      case "nop":
        return "nop";
      case "wscale":
        return `wscale ${o.shift}`;
      case "eol":
        return "eol";
      case "sack":
        return `sack ${o.blocks.length} ${o.blocks.map((b) => `{${b.left}:${b.right}}`).join("")}`;
      case "unknown":
        return `unknown-${o.type}`;
    }
  }).join(",");
}

async function tcpdumpRead(bytes: Uint8Array): Promise<string> {
  const child = new Deno.Command(tool("tcpdump"), {
    args: ["-r", "-", "-nn", "-v", "-S", "-tt", "-x"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(bytes);
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function compareWithTcpdump(pcap: PcapFile, bytes: Uint8Array): Promise<void> {
  const theirs = parseTcpdump(await tcpdumpRead(bytes));
  assert.equal(theirs.length, pcap.packets.length, "tcpdump and we see different packet counts");
  pcap.packets.forEach((packet, i) => {
    const them = theirs[i];
    const where = `packet ${i + 1}`;
    const f = dissectFrame(packet.data, pcap.linkType);
    const ip = f.ip!;
    const tcp = f.tcp!;
    assert.ok(ip && tcp, `${where}: not IPv4/TCP`);
    assert.equal(packet.time.toFixed(6), them.time, `${where} time`);
    assert.equal(ip.ttl, them.ttl, `${where} TTL`);
    assert.equal(ip.identification, them.id, `${where} IP id`);
    assert.equal(ip.flags.dontFragment, them.df, `${where} DF`);
    assert.equal(ip.totalLength, them.ipLength, `${where} IP length`);
    assert.equal(ip.checksumStatus === "correct", !them.ipChecksumBad, `${where} IP checksum`);
    assert.equal(ip.source, them.source, `${where} source`);
    assert.equal(ip.destination, them.destination, `${where} destination`);
    assert.equal(tcp.sourcePort, them.sourcePort, `${where} source port`);
    assert.equal(tcp.destinationPort, them.destinationPort, `${where} destination port`);
    assert.equal(formatFlags(tcp.flags), them.flags, `${where} flags`);
    if (them.seq !== undefined) assert.equal(tcp.seq, them.seq, `${where} seq`);
    if (them.ack !== undefined) assert.equal(tcp.ack, them.ack, `${where} ack`);
    assert.equal(them.ack !== undefined, tcp.flags.ack, `${where} ack shown iff ACK set`);
    assert.equal(tcp.window, them.window, `${where} window`);
    assert.equal(tcpdumpOptions(tcp.options), them.options, `${where} options`);
    assert.equal(f.payload.length, them.length, `${where} payload length`);
    assert.equal(tcp.checksum, them.checksum, `${where} TCP checksum field`);
    assert.equal(
      tcp.checksumStatus === "correct",
      them.checksumCorrect,
      `${where} TCP checksum status`,
    );
    if (!them.checksumCorrect) {
      assert.equal(tcp.computedChecksum, them.computedChecksum, `${where} computed TCP checksum`);
    }
    // -x prints the packet from the IP header on.
    assert.equal(hex(packet.data.subarray(f.layers[1].start)), them.hex, `${where} bytes`);
  });
}

for (const name of ["smtp-session", "tcp-lifecycle"]) {
  Deno.test({
    name: `dissectFrame() agrees with tcpdump on every packet of ${name}.pcap`,
    ...requireTool("tcpdump"),
    async fn() {
      const bytes = await Deno.readFile(
        new URL(`../fixtures/captures/${name}.pcap`, import.meta.url),
      );
      await compareWithTcpdump(readPcap(bytes), bytes);
    },
  });
}

Deno.test({
  name: "dissectFrame() agrees with tcpdump on a fresh live capture",
  ...requireTool("tcpdump"),
  async fn() {
    const available = await liveCaptureAvailable();
    if (!available.ok) {
      console.error(`NOTICE: live capture not permitted here: ${available.reason}`);
      return;
    }
    await using server = serveLoopback(async (conn) => {
      const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
      const writer = new LineWriter(conn);
      await writer.writeLine("220 ready");
      for (let line; (line = await reader.readLine()) !== null;) {
        await writer.writeLine(line.text === "QUIT" ? "221 bye" : "250 ok");
        if (line.text === "QUIT") return;
      }
    });
    const { pcap, bytes } = await captureLoopback(`tcp port ${server.port}`, async () => {
      using conn = await connectLoopback(server.port);
      const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
      const writer = new LineWriter(conn);
      await reader.readLine();
      for (const command of ["EHLO me", "NOOP", "QUIT"]) {
        await writer.writeLine(command);
        await reader.readLine();
      }
      await reader.readLine(); // the server's close
      await server.close();
    });
    assert.ok(pcap.packets.length >= 12);
    await compareWithTcpdump(pcap, bytes);
    // And our writer's file reads the same in tcpdump.
    await compareWithTcpdump(pcap, writePcap({ ...pcap, byteOrder: "big" }));
  },
});

Deno.test({
  name: "dissectFrame() and tcpdump both call corrupted IP and TCP checksums bad",
  ...requireTool("tcpdump"),
  async fn() {
    const pcap = readPcap(
      await Deno.readFile(new URL("../fixtures/captures/smtp-session.pcap", import.meta.url)),
    );
    const packets = pcap.packets.map((p) => ({ ...p, data: p.data.slice() }));
    packets[0].data[14 + 8] = 63; // TTL changed, IP checksum left alone
    // On loopback the field holds only the pseudo-header sum ("partial"), which a payload
    // change would not touch: change the field itself.
    packets[3].data[14 + 20 + 17] ^= 0x01;
    const corrupt = { ...pcap, packets };
    assert.equal(dissectFrame(packets[0].data, pcap.linkType).ip?.checksumStatus, "incorrect");
    assert.equal(dissectFrame(packets[3].data, pcap.linkType).tcp?.checksumStatus, "incorrect");
    await compareWithTcpdump(corrupt, writePcap(corrupt));
  },
});
