/**
 * Loss and retransmission on real packets (RFC 9293 3.8.1, RFC 6298): a client on
 * loopback sends lines while chosen segments are dropped (lib/tcp/loopback_drop.ts), and
 * the capture shows how TCP repairs the hole.
 *
 * The experiment, on one connection with Nagle off (each write leaves as its own segment):
 *
 * 1. `hello`, delivered normally.
 * 2. `lost-1` is dropped; then four more lines leave at once. The receiver gets data beyond
 *    a hole and answers each with the same ack (duplicate ACKs, with SACK blocks that say
 *    what did arrive); the sender retransmits the missing segment.
 * 3. `lost-2` is dropped and nothing follows: no duplicate ACK can come, so only a timer
 *    brings the segment again.
 *
 * {@linkcode analyzeLoss} reads any capture of it (live or shipped) with the write times.
 *
 * @module
 */

import { connectLoopback, serveLoopback, withTimeout, writeAll } from "../net/mod.ts";
import { LineReader } from "../net/line_reader.ts";
import type { PcapFile } from "../packet/pcap.ts";
import { CaptureError, captureLoopback, CAPTURES_DIR, shippedCapture } from "../packet/capture.ts";
import type { Segment } from "../packet/segments.ts";
import { type Displayable, table } from "../viz/display.ts";
import {
  type Dropper,
  type DropSwitch,
  DropUnavailable,
  withLoopbackDrop,
} from "./loopback_drop.ts";

/** The lines the client sends, in order; those in {@linkcode DROPPED} are dropped once. */
export const LOSS_LINES = ["hello", "lost-1", "after-1", "after-2", "after-3", "after-4", "lost-2"];
/** Lines whose first transmission is dropped. */
export const DROPPED = ["lost-1", "lost-2"];

/** When the client wrote each line (ms since 1970, the clock capture timestamps use). */
export interface LossWrites {
  /** Line text to write time. */
  written: Record<string, number>;
  /** Line text to the time the server read it. */
  read: Record<string, number>;
  /** What dropped the segments: netem (the lost copy never shows) or iptables (it shows). */
  dropper: Dropper;
  port: number;
}

/**
 * Run the experiment on 127.0.0.1. `around` wraps the client's part (e.g. a capture on the
 * server's port); segments are dropped with `withLoopbackDrop`.
 *
 * @throws {DropUnavailable} this machine cannot drop segments on lo.
 */
export async function lossExperiment(
  options: {
    timeoutMs?: number;
    around?: (port: number, client: () => Promise<void>) => Promise<unknown>;
  } = {},
): Promise<LossWrites> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const read: Record<string, number> = {};
  const written: Record<string, number> = {};
  const arrived = new Map<string, () => void>();
  const arrival = (line: string) => new Promise<void>((resolve) => arrived.set(line, resolve));
  const waits = Object.fromEntries(LOSS_LINES.map((line) => [line, arrival(line)]));
  await using server = serveLoopback(async (conn) => {
    const reader = new LineReader(conn, { idleTimeoutMs: timeoutMs });
    for (let line; (line = await reader.readLine()) !== null;) {
      read[line.text] = Date.now();
      arrived.get(line.text)?.();
    }
  });
  let dropper: Dropper = "netem";
  const client = async (drop: DropSwitch) => {
    dropper = drop.dropper;
    const conn = await connectLoopback(server.port, { timeoutMs });
    try {
      conn.setNoDelay(true); // one segment per write: the drop hits exactly one line
      const send = async (line: string) => {
        written[line] = Date.now();
        await writeAll(conn, new TextEncoder().encode(line + "\n"));
      };
      const wait = (line: string) =>
        withTimeout(waits[line], timeoutMs, `the server to read ${JSON.stringify(line)}`);
      await send("hello");
      await wait("hello");
      // On loopback the segment leaves inside write(): once it returns, it has been dropped.
      await drop.on();
      await send("lost-1");
      await drop.off();
      for (const line of ["after-1", "after-2", "after-3", "after-4"]) await send(line);
      await wait("lost-1");
      await wait("after-4");
      await drop.on();
      await send("lost-2");
      await drop.off();
      await wait("lost-2");
    } finally {
      conn.close();
    }
  };
  await withLoopbackDrop(server.port, async (drop) => {
    if (options.around) await options.around(server.port, () => client(drop));
    else await client(drop);
  });
  return { written, read, dropper, port: server.port };
}

/** One segment of the capture with what it shows about loss. */
export interface LossRow {
  segment: Segment;
  /** Milliseconds since the first segment. */
  at: number;
  /** The experiment's lines this segment carries (a retransmission may carry several). */
  lines: string[];
  /** The copy of a dropped line that was lost (seen only when iptables dropped it). */
  lost: boolean;
  /** Data whose sequence numbers its sender had already sent: a retransmission. */
  retransmission: boolean;
  /** A pure ACK repeating the previous ack while data is outstanding: how many so far. */
  duplicateAck: number;
  /** SACK blocks, relative to the data sender's initial sequence number. */
  sack: { left: number; right: number }[];
  /** For the copy that delivered a dropped line: ms from the line's write to this copy. */
  afterWrite?: number;
}

/**
 * Read a capture of {@linkcode lossExperiment}: which copy of a dropped line was lost,
 * which segments are retransmissions (data starting below what its sender had already
 * sent), which ACKs are duplicates, and for each dropped line the time from its write to
 * the copy that got through.
 *
 * @example A hole, duplicate ACKs, the retransmission
 * ```ts
 * import { analyzeLoss } from "./loss.ts";
 * import type { Segment } from "../packet/segments.ts";
 * const flags = { fin: false, syn: false, rst: false, psh: true, ack: true, urg: false, ece: false, cwr: false };
 * const seg = (from: string, to: string, seq: number, ack: number, data: string, time: number) => ({
 *   index: 0, time, from, to, seq, ack, relativeSeq: seq, relativeAck: ack, flags, window: 512,
 *   options: [], payloadLength: data.length, payload: new TextEncoder().encode(data),
 * }) as Segment;
 * const rows = analyzeLoss([
 *   seg("c", "s", 1, 1, "after-1\n", 1), seg("s", "c", 1, 1, "", 1.001),
 *   seg("c", "s", 9, 1, "after-2\n", 1.002), seg("s", "c", 1, 1, "", 1.003),
 *   seg("c", "s", 1, 1, "after-1\n", 1.004),
 * ], { written: {}, read: {}, dropper: "netem", port: 0 });
 * if (rows[3].duplicateAck !== 1 || !rows[4].retransmission) throw new Error("unexpected");
 * ```
 */
export function analyzeLoss(segments: Segment[], writes: LossWrites): LossRow[] {
  const start = segments[0]?.time ?? 0;
  const highest = new Map<string, number>(); // sender -> highest relative seq end sent
  const lastAck = new Map<string, number>(); // sender -> its last ack
  const dupCount = new Map<string, number>();
  const seen = new Set<string>(); // dropped lines whose first copy has been seen
  const decoder = new TextDecoder();
  const isn = new Map<string, number>(); // sender -> raw initial sequence number
  for (const s of segments) if (!isn.has(s.from)) isn.set(s.from, (s.seq - s.relativeSeq) >>> 0);
  // The copy of each dropped line that got through is its last one.
  const lastCopy = new Map<string, Segment>();
  const linesOf = (s: Segment) =>
    decoder.decode(s.payload).split("\n").filter((l) => LOSS_LINES.includes(l));
  for (const s of segments) for (const line of linesOf(s)) lastCopy.set(line, s);
  return segments.map((segment) => {
    const lines = linesOf(segment);
    const end = segment.relativeSeq + segment.payloadLength;
    const sentBefore = highest.get(segment.from) ?? 0;
    const retransmission = segment.payloadLength > 0 && segment.relativeSeq < sentBefore;
    if (end > sentBefore) highest.set(segment.from, end);
    let duplicateAck = 0;
    const pure = segment.payloadLength === 0 && !segment.flags.syn && !segment.flags.fin &&
      !segment.flags.rst && segment.flags.ack;
    const outstanding = (highest.get(segment.to) ?? 0) > segment.relativeAck;
    if (pure && outstanding && lastAck.get(segment.from) === segment.relativeAck) {
      duplicateAck = (dupCount.get(segment.from) ?? 0) + 1;
    }
    dupCount.set(segment.from, duplicateAck);
    if (segment.flags.ack) lastAck.set(segment.from, segment.relativeAck);
    const base = isn.get(segment.to) ?? 0;
    const sack = segment.options.flatMap((o) =>
      o.kind === "sack"
        ? o.blocks.map((b) => ({ left: (b.left - base) >>> 0, right: (b.right - base) >>> 0 }))
        : []
    );
    const dropped = lines.filter((l) => DROPPED.includes(l));
    const lost = writes.dropper === "iptables" && dropped.some((l) => !seen.has(l));
    for (const line of dropped) seen.add(line);
    const delivered = dropped.find((l) => lastCopy.get(l) === segment);
    return {
      segment,
      at: (segment.time - start) * 1000,
      lines,
      lost,
      retransmission,
      duplicateAck,
      sack,
      ...(delivered && writes.written[delivered] !== undefined
        ? { afterWrite: segment.time * 1000 - writes.written[delivered] }
        : {}),
    };
  });
}

/** The capture and write times of a run, live or shipped. */
export interface LossCapture {
  source: "live" | "shipped";
  pcap: PcapFile;
  writes: LossWrites;
  /** Which one, and why, in a sentence a learner can read. */
  reason: string;
}

/** Name of the shipped capture in `fixtures/captures/` (with its `.json` of write times). */
export const LOSS_CAPTURE = "tcp-loss";

/** Load the shipped capture of the experiment, recorded by `deno task record-captures`. */
export async function shippedLossCapture(): Promise<{ pcap: PcapFile; writes: LossWrites }> {
  const shipped = await shippedCapture(LOSS_CAPTURE);
  const writes: LossWrites = JSON.parse(
    await Deno.readTextFile(new URL(`${LOSS_CAPTURE}.json`, CAPTURES_DIR)),
  );
  return { pcap: shipped.pcap, writes };
}

/**
 * The experiment captured live where this machine allows both dropping and capturing
 * (root; netem or iptables; tcpdump), else the shipped capture of the same experiment,
 * with the reason. `COURSE_LIVE_CAPTURE=0` asks for the shipped one.
 */
export async function lossCaptureOrShipped(
  options: { timeoutMs?: number } = {},
): Promise<LossCapture> {
  let why: string;
  if (Deno.env.get("COURSE_LIVE_CAPTURE") === "0") {
    why = "live capture switched off";
  } else {
    try {
      let pcap: PcapFile | undefined;
      const writes = await lossExperiment({
        timeoutMs: options.timeoutMs,
        around: async (port, client) => {
          pcap = (await captureLoopback(`tcp port ${port}`, client, options)).pcap;
        },
      });
      return {
        source: "live",
        pcap: pcap!,
        writes,
        reason: `Live: ${
          writes.dropper === "netem"
            ? "netem dropped the segments"
            : "this kernel has no netem, so an iptables rule dropped the segments"
        }; tcpdump captured ${pcap!.packets.length} packets of this very connection.`,
      };
    } catch (error) {
      if (!(error instanceof DropUnavailable || error instanceof CaptureError)) throw error;
      why = error.message;
    }
  }
  const shipped = await shippedLossCapture();
  return {
    source: "shipped",
    ...shipped,
    reason: `Shipped: ${why}; showing fixtures/captures/${LOSS_CAPTURE}.pcap, the same ` +
      `experiment recorded by the course (deno task record-captures), where ` +
      `${shipped.writes.dropper} dropped the segments.`,
  };
}

const port = (endpoint: string) => endpoint.slice(endpoint.lastIndexOf(":") + 1);

/** What a row shows, in words. */
function rowNote(row: LossRow): string {
  const notes: string[] = [];
  if (row.lost) notes.push("lost: dropped on its way in, never delivered");
  if (row.retransmission) notes.push("retransmission: these bytes were sent before");
  if (row.duplicateAck) notes.push(`duplicate ACK #${row.duplicateAck}`);
  if (row.afterWrite !== undefined) {
    notes.push(`delivered, ${row.afterWrite.toFixed(1)} ms after the write`);
  }
  return notes.join("; ");
}

/**
 * The capture as a table: one row per segment, relative numbers, the lines it carries,
 * SACK blocks, and what it shows about loss.
 */
export function lossTable(rows: readonly LossRow[]): Displayable {
  return table(
    ["#", "ms", "from → to", "seq", "ack", "len", "lines", "SACK", "what it shows"],
    rows.map((r, i) => [
      String(i + 1),
      r.at.toFixed(1),
      `${port(r.segment.from)} → ${port(r.segment.to)}`,
      String(r.segment.relativeSeq),
      r.segment.flags.ack ? String(r.segment.relativeAck) : "",
      String(r.segment.payloadLength),
      r.lines.join(" "),
      r.sack.map((b) => `${b.left}-${b.right}`).join(" "),
      rowNote(r),
    ]),
  );
}

/**
 * What happened to each dropped line, as Markdown for the page: the retransmission, the
 * duplicate ACKs before it, and the time from the write.
 */
export function describeLoss(rows: readonly LossRow[], writes: LossWrites): string {
  const position = (r: LossRow) => `#${rows.indexOf(r) + 1}`;
  const [first, second] = DROPPED.map((line) => {
    const delivered = rows.find((r) => r.lines.includes(line) && r.afterWrite !== undefined)!;
    const lost = rows.find((r) => r.lines.includes(line) && r.lost);
    const before = rows.slice(0, rows.indexOf(delivered));
    const dupAcks = before.filter((r) => r.duplicateAck > 0 && r.at >= (lost?.at ?? 0) - 0.001);
    return { line, delivered, lost, dupAcks };
  });
  const seen = (r: LossRow | undefined) =>
    r
      ? `its first copy is ${position(r)}`
      : "its first copy never appears (dropped before the capture point)";
  const dups = first.dupAcks;
  return [
    `**${first.line}** (${seen(first.lost)}): the receiver answered the data after the hole with ` +
    `${dups.length} duplicate ACK${dups.length === 1 ? "" : "s"} (${
      dups.map(position).join(", ")
    }), ` +
    `still asking for the missing bytes, with SACK blocks for what did arrive; ` +
    `the client sent the bytes again (${position(first.delivered)}) ` +
    `${(first.delivered.at - (dups.at(-1)?.at ?? first.delivered.at)).toFixed(1)} ms after ` +
    `the last duplicate ACK, without waiting for a timer ` +
    `(**${first.delivered.afterWrite!.toFixed(1)} ms** after writing them).`,
    `**${second.line}** (${seen(second.lost)}): nothing followed it, so no duplicate ACK could ` +
    `come; the client's retransmission timer fired and sent it again (${
      position(second.delivered)
    }), ` +
    `**${second.delivered.afterWrite!.toFixed(1)} ms** after the write.`,
    `Dropped by ${writes.dropper}.`,
  ].join("\n\n");
}
