/**
 * The journey drawn: one sequence diagram across every hop, one timeline of when each
 * chunk of bytes crossed each connection, and tables of the hosts and the trace.
 *
 * @module
 */

import type { TranscriptLine } from "../transcript/transcript.ts";
import { escapeMermaid, MermaidDiagram } from "../viz/mermaid.ts";
import { PlotlyChart, type Trace } from "../viz/plotly.ts";
import { type Displayable, table } from "../viz/display.ts";
import type { JourneyRecorder } from "./recorder.ts";
import type { TraceHop } from "./trace.ts";

/** One arrow of the journey diagram (or a note, when `from === to`). */
export interface JourneyArrow {
  from: string;
  to: string;
  at: number;
  text: string;
  /** True for an event off the wire, drawn as a note. */
  note: boolean;
}

/**
 * The arrows, in time order: each connection's lines, with runs of more than `maxRun`
 * lines in one direction (a message body, a multi-line reply) folded into one arrow
 * that says how many lines and bytes it stands for; events become notes.
 */
export function journeyArrows(recorder: JourneyRecorder, maxRun = 3): JourneyArrow[] {
  const arrows: JourneyArrow[] = [];
  for (const c of recorder.connections) {
    const lines = c.transcript.lines();
    let i = 0;
    while (i < lines.length) {
      let j = i;
      while (j < lines.length && lines[j].from === lines[i].from) j++;
      const run: TranscriptLine[] = lines.slice(i, j);
      if (run.length > maxRun) {
        const bytes = run.reduce((sum, l) => sum + l.size, 0);
        arrows.push({
          from: run[0].from,
          to: run[0].to,
          at: run[0].at,
          text: `${cut(run[0].text, 36)} … (${run.length} lines, ${bytes} bytes)`,
          note: false,
        });
      } else {
        for (const l of run) {
          arrows.push({ from: l.from, to: l.to, at: l.at, text: cut(l.text, 48), note: false });
        }
      }
      i = j;
    }
  }
  for (const e of recorder.events) {
    arrows.push({ from: e.at, to: e.at, at: e.time, text: e.what, note: true });
  }
  return arrows.sort((a, b) => a.at - b.at);
}

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/**
 * One mermaid sequence diagram of the whole journey, participants left to right in
 * `participants` order.
 */
export function journeyDiagram(
  recorder: JourneyRecorder,
  participants: readonly string[],
): MermaidDiagram {
  const ids = new Map(participants.map((p, i) => [p, `p${i}`]));
  const out = ["sequenceDiagram"];
  for (const p of participants) out.push(`  participant ${ids.get(p)} as ${escapeMermaid(p)}`);
  const plain: string[] = [];
  const t0 = firstByteAt(recorder);
  for (const a of journeyArrows(recorder)) {
    const from = ids.get(a.from), to = ids.get(a.to);
    if (!from || !to) continue;
    const text = escapeMermaid(a.text) || " ";
    out.push(a.note ? `  Note over ${from}: ${text}` : `  ${from}->>${to}: ${text}`);
    plain.push(
      `${(a.at - t0).toFixed(1).padStart(8)} ms  ${
        a.note ? `[${a.from}] ${a.text}` : `${a.from} -> ${a.to}: ${a.text}`
      }`,
    );
  }
  return new MermaidDiagram(out.join("\n"), plain.join("\n"));
}

/** When the first byte of the journey crossed (ms on the recorder's clock). */
export function firstByteAt(recorder: JourneyRecorder): number {
  const starts = recorder.connections.map((c) => c.transcript.entries[0]?.at ?? Infinity);
  return Math.min(...starts);
}

/**
 * A timeline: one row per connection, one dot per chunk of bytes that crossed it (dot
 * area by size, colour by direction), and a dashed line per event. Time 0 is the
 * journey's first byte.
 */
export function journeyTimeline(recorder: JourneyRecorder): PlotlyChart {
  const t0 = firstByteAt(recorder);
  const row = (label: string, i: number) => `${i + 1}. ${label}`;
  const directions: Record<string, Trace & { x: number[]; y: string[]; text: string[] }> = {};
  const sizes: Record<string, number[]> = {};
  recorder.connections.forEach((c, i) => {
    for (const e of c.transcript.entries) {
      const key = e.from === c.client ? "client → server" : "server → client";
      directions[key] ??= { type: "scatter", mode: "markers", name: key, x: [], y: [], text: [] };
      sizes[key] ??= [];
      const first = new TextDecoder().decode(e.bytes.subarray(0, 60)).split(/\r?\n/)[0];
      directions[key].x.push(Number((e.at - t0).toFixed(3)));
      directions[key].y.push(row(c.label, i));
      directions[key].text.push(`${e.from} → ${e.to}: ${e.bytes.length} B<br>${first}`);
      sizes[key].push(e.bytes.length);
    }
  });
  const data = Object.entries(directions).map(([key, trace]) => ({
    ...trace,
    hoverinfo: "text+x",
    marker: { size: sizes[key].map((b) => 6 + 2 * Math.sqrt(Math.min(b, 2000) / 8)), opacity: 0.7 },
  }));
  const shapes = recorder.events.map((e) => ({
    type: "line",
    x0: e.time - t0,
    x1: e.time - t0,
    yref: "paper",
    y0: 0,
    y1: 1,
    line: { dash: "dot", width: 1, color: "#888" },
  }));
  const annotations = recorder.events.map((e, i) => ({
    x: e.time - t0,
    y: 1 + 0.06 * (i % 3),
    yref: "paper",
    text: e.what.length > 30 ? e.what.slice(0, 29) + "…" : e.what,
    showarrow: false,
    font: { size: 10 },
  }));
  const rows = recorder.connections.map((c, i) => row(c.label, i));
  const summary = recorder.connections.map((c, i) => {
    const entries = c.transcript.entries;
    const from = (entries[0]?.at ?? t0) - t0, to = (entries.at(-1)?.at ?? t0) - t0;
    return `${row(c.label, i)}: ${entries.length} chunks, ${c.transcript.bytesFrom()} bytes, ` +
      `${from.toFixed(1)}–${to.toFixed(1)} ms`;
  });
  return new PlotlyChart(data, {
    title: { text: "When each chunk of bytes crossed each connection" },
    xaxis: { title: { text: "ms since the first byte" } },
    yaxis: { categoryorder: "array", categoryarray: [...rows].reverse(), automargin: true },
    margin: { t: 110, r: 20, b: 50, l: 60 },
    height: 420,
    shapes,
    annotations,
  }, `Timeline\n${summary.join("\n")}`);
}

/** The trace as a table: hop, who stamped it, its id, the stamp, and the recording. */
export function traceTable(hops: readonly TraceHop[], recorder: JourneyRecorder): Displayable {
  const t0 = firstByteAt(recorder);
  const ms = (t: number | null) => t === null ? "not found" : `${(t - t0).toFixed(1)} ms`;
  return table(
    ["hop", "by", "from", "id", "stamped", "connection", "DATA at", "250 at", "agrees"],
    hops.map((h) => [
      String(h.hop),
      h.received.by,
      h.received.from,
      h.received.id,
      h.received.date.toISOString().slice(11, 19),
      h.connection ?? "not found",
      ms(h.dataAt),
      ms(h.acceptedAt),
      h.agrees ? "yes" : "NO",
    ]),
  );
}
