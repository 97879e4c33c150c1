/**
 * Mermaid pictures of the model: the state diagram (with the states a run visited
 * highlighted) and a sequence diagram of segments with flags, seq, ack and len.
 *
 * Both return lib/viz's `MermaidDiagram`, which shows itself in Jupyter.
 *
 * @module
 */

import { escapeMermaid, MermaidDiagram, stateDiagram } from "../viz/mod.ts";
import { describeSegment, type SegmentLike } from "./segment.ts";
import type { TcpState } from "./state.ts";
import { TCP_EVENT, transitionList } from "./transitions.ts";
import type { Side, TcpSimulator } from "./simulator.ts";

/** Options for {@linkcode tcpStateDiagram}. */
export interface StateDiagramOptions {
  /** States to highlight (e.g. a simulated path). */
  visited?: readonly TcpState[];
  /**
   * `"figure"` (default): the arrows of RFC 9293 Figure 5, without self-loops, aborts,
   * resets and retransmissions. `"all"`: every row of the table that changes state.
   */
  detail?: "figure" | "all";
}

const NOT_IN_FIGURE: readonly string[] = [
  TCP_EVENT.ABORT,
  TCP_EVENT.RCV_RST,
  TCP_EVENT.RCV_SEGMENT,
  TCP_EVENT.TIMEOUT_RTO,
];

/**
 * The TCP state diagram from the transition table.
 *
 * @example
 * ```ts
 * import { tcpStateDiagram } from "./diagrams.ts";
 * const d = tcpStateDiagram({ visited: ["CLOSED", "LISTEN"] });
 * if (!d.source.includes("LISTEN --> SYN_RECEIVED: rcv-syn / snd SYN,ACK")) throw new Error(d.source);
 * if (!d.source.includes("class CLOSED,LISTEN visited")) throw new Error(d.source);
 * ```
 */
export function tcpStateDiagram(options: StateDiagramOptions = {}): MermaidDiagram {
  const rows = transitionList().filter((t) =>
    t.from !== t.to && (options.detail === "all" || !NOT_IN_FIGURE.includes(t.event))
  );
  const base = stateDiagram(
    rows.map((t) => ({
      from: t.from,
      to: t.to,
      label: t.event + (t.send ? ` / snd ${t.send}` : ""),
    })),
    { initial: "CLOSED" },
  );
  const visited = [...new Set(options.visited ?? [])];
  if (visited.length === 0) return base;
  const id = (state: string) => state.replace(/[^A-Za-z0-9_]/g, "_");
  const source = base.source +
    "\n  classDef visited fill:#ffd54f,stroke:#e65100,stroke-width:2px" +
    `\n  class ${visited.map(id).join(",")} visited`;
  return new MermaidDiagram(source, base.plain + `\nvisited: ${visited.join(" → ")}`);
}

/** A segment that may carry the simulator's fate (lost segments are drawn with a cross). */
export type DrawnSegment = SegmentLike & { fate?: string };

/** A note placed before the segment numbered `at` (or at the end). */
export interface SequenceNote {
  at: number;
  over: string;
  text: string;
}

/** Options for {@linkcode segmentSequenceDiagram}. */
export interface SegmentDiagramOptions {
  /** Participants left to right. Default: in order of appearance. */
  participants?: string[];
  /** Print seq/ack relative to each sender's initial sequence number (its SYN's seq). */
  relative?: boolean;
  /** Notes between the arrows, e.g. state changes. */
  notes?: readonly SequenceNote[];
  /** Draw at most this many segments. Default 60. */
  maxSegments?: number;
}

/** Each sender's ISN: the seq of its first SYN. */
export function initialSequenceNumbers(segments: readonly SegmentLike[]): Record<string, number> {
  const isn: Record<string, number> = {};
  for (const s of segments) if (s.flags.syn && !(s.from in isn)) isn[s.from] = s.seq;
  return isn;
}

/**
 * A sequence diagram with one arrow per segment: `SYN,ACK seq=300 ack=101 len=0`.
 *
 * @example
 * ```ts
 * import { segmentSequenceDiagram } from "./diagrams.ts";
 * const f = { syn: true, ack: false, fin: false, rst: false };
 * const d = segmentSequenceDiagram([{ from: "client", to: "server", seq: 7, ack: 0, flags: f, payloadLength: 0 }]);
 * if (!d.source.includes("p0->>p1: SYN seq=7 len=0")) throw new Error(d.source);
 * ```
 */
export function segmentSequenceDiagram(
  segments: readonly DrawnSegment[],
  options: SegmentDiagramOptions = {},
): MermaidDiagram {
  const participants = options.participants ??
    [...new Set(segments.flatMap((s) => [s.from, s.to]))];
  const ids = new Map(participants.map((p, i) => [p, `p${i}`]));
  const isn = options.relative ? initialSequenceNumbers(segments) : undefined;
  const max = options.maxSegments ?? 60;
  const out = ["sequenceDiagram"];
  const plain: string[] = [];
  for (const p of participants) out.push(`  participant ${ids.get(p)} as ${escapeMermaid(p)}`);
  const notesAt = (i: number) => (options.notes ?? []).filter((n) => n.at === i);
  const note = (n: SequenceNote) => {
    const over = ids.get(n.over);
    if (!over) throw new Error(`Cannot place note: ${n.over} is not a participant`);
    out.push(`  Note over ${over}: ${escapeMermaid(n.text)}`);
    plain.push(`  [${n.over}: ${n.text}]`);
  };
  const shown = segments.slice(0, max);
  shown.forEach((s, i) => {
    notesAt(i).forEach(note);
    const lost = s.fate === "dropped";
    const text = describeSegment(s, { isn }) + (lost ? " (lost)" : "");
    const from = ids.get(s.from), to = ids.get(s.to);
    if (!from || !to) {
      throw new Error(
        `Cannot draw segment ${i}: ${s.from} → ${s.to} is not between the participants`,
      );
    }
    out.push(`  ${from}${lost ? "-x" : "->>"}${to}: ${escapeMermaid(text)}`);
    plain.push(`${s.from} -> ${s.to}: ${text}`);
  });
  if (segments.length > max) {
    const more = `${segments.length - max} more segments not shown`;
    out.push(`  Note over ${ids.get(participants[0])},${ids.get(participants.at(-1)!)}: ${more}`);
    plain.push(`(${more})`);
  } else {
    notesAt(segments.length).forEach(note);
  }
  return new MermaidDiagram(out.join("\n"), plain.join("\n"));
}

/**
 * A simulation as a sequence diagram, each state change a note over its side.
 *
 * @example
 * ```ts
 * import { runScenario } from "./scenarios.ts";
 * import { simulationDiagram } from "./diagrams.ts";
 * const d = simulationDiagram(runScenario("three-segment-close", { clientIsn: 1, serverIsn: 9 }));
 * if (!d.source.includes("Note over p0: TIME-WAIT")) throw new Error(d.source);
 * ```
 */
export function simulationDiagram(
  sim: TcpSimulator,
  options: { relative?: boolean } = {},
): MermaidDiagram {
  const notes = sim.transitions.filter((t) => t.from !== t.to)
    .map((t) => ({ at: t.at, over: t.side, text: t.to }));
  return segmentSequenceDiagram(sim.segments, {
    participants: ["client", "server"],
    notes,
    relative: options.relative,
  });
}

/** The state diagram with the states one side of a simulation visited highlighted. */
export function simulationStateDiagram(sim: TcpSimulator, side: Side): MermaidDiagram {
  return tcpStateDiagram({ visited: sim.path(side) });
}
