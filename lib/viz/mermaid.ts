/**
 * Mermaid diagrams: sequence diagrams of what crossed the wire, state diagrams of
 * protocol state machines.
 *
 * The display bundle carries `text/vnd.mermaid`, which JupyterLab 4.1+ and nbconvert's
 * HTML export render as a diagram, plus a `text/plain` fallback for front ends that do
 * not (VS Code without extensions). It carries no `text/markdown` or `text/html`: those
 * rank above mermaid and would hide the diagram.
 *
 * @module
 */

import { JUPYTER_DISPLAY, type MimeBundle } from "./display.ts";
import type { Transcript, TranscriptLine } from "../transcript/transcript.ts";

/** A mermaid diagram's source with a plain-text rendering beside it. */
export class MermaidDiagram {
  constructor(readonly source: string, readonly plain: string) {}
  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/vnd.mermaid": this.source, "text/plain": this.plain };
  }
  toString(): string {
    return this.source;
  }
}

/**
 * Make text safe inside a mermaid message or label. Mermaid reads `;` and `#` as syntax
 * and the arrow text ends at a newline, so they are written as entity codes
 * (mermaid's own `#59;` form); `<` and `>` likewise, as mermaid renders labels as HTML.
 */
export function escapeMermaid(text: string): string {
  return text.replace(/[#;<>"{}]/g, (c) => `#${c.charCodeAt(0)};`).replace(/[\r\n]/g, " ");
}

/** Options for {@linkcode sequenceDiagram}. */
export interface SequenceOptions {
  /** Participants in order, left to right. Default: in order of appearance. */
  participants?: string[];
  /** Show at most this many lines, then a note saying how many were left out. Default 40. */
  maxLines?: number;
  /** Cut each message to this many characters. Default 60. */
  maxText?: number;
  /** Add each message's size in bytes. Default false. */
  showBytes?: boolean;
}

/**
 * A sequence diagram of a transcript, one arrow per line.
 *
 * @example
 * ```ts
 * import { Transcript } from "../transcript/transcript.ts";
 * import { sequenceDiagram } from "./mermaid.ts";
 * const t = new Transcript();
 * t.record("client", "server", new TextEncoder().encode("PING\r\n"));
 * t.record("server", "client", new TextEncoder().encode("PONG\r\n"));
 * const d = sequenceDiagram(t);
 * if (!d.source.includes("p0->>p1: PING")) throw new Error(d.source);
 * ```
 */
export function sequenceDiagram(
  transcript: Transcript | readonly TranscriptLine[],
  options: SequenceOptions = {},
): MermaidDiagram {
  const lines = Array.isArray(transcript) ? transcript : (transcript as Transcript).lines();
  const maxLines = options.maxLines ?? 40;
  const maxText = options.maxText ?? 60;
  const participants = options.participants ?? [...new Set(lines.flatMap((l) => [l.from, l.to]))];
  // Short ids (p0, p1...) keep arbitrary participant names out of mermaid's syntax.
  const ids = new Map(participants.map((p, i) => [p, `p${i}`]));
  const out = ["sequenceDiagram"];
  for (const p of participants) out.push(`  participant ${ids.get(p)} as ${escapeMermaid(p)}`);
  const plain: string[] = [];
  for (const line of lines.slice(0, maxLines)) {
    const text = cut(line.text, maxText) + (options.showBytes ? ` (${line.size} B)` : "");
    out.push(`  ${ids.get(line.from)}->>${ids.get(line.to)}: ${escapeMermaid(text) || " "}`);
    plain.push(`${line.from} -> ${line.to}: ${text}`);
  }
  if (lines.length > maxLines) {
    const more = `${lines.length - maxLines} more lines not shown`;
    out.push(`  Note over ${ids.get(participants[0])},${ids.get(participants.at(-1)!)}: ${more}`);
    plain.push(`(${more})`);
  }
  return new MermaidDiagram(out.join("\n"), plain.join("\n"));
}

function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** One arrow of a state diagram. */
export interface Transition {
  from: string;
  to: string;
  label?: string;
}

/** Options for {@linkcode stateDiagram}. */
export interface StateDiagramOptions {
  /** The state the machine starts in (drawn from mermaid's start dot). */
  initial?: string;
  /** States that end the machine (drawn to mermaid's end dot). */
  final?: string[];
  /** A state to highlight, e.g. where a live session is now. */
  current?: string;
}

/**
 * A state diagram from transitions.
 *
 * @example
 * ```ts
 * import { stateDiagram } from "./mermaid.ts";
 * const d = stateDiagram([{ from: "CLOSED", to: "LISTEN", label: "passive open" }], { initial: "CLOSED" });
 * if (!d.source.includes("CLOSED --> LISTEN: passive open")) throw new Error(d.source);
 * ```
 */
export function stateDiagram(
  transitions: readonly Transition[],
  options: StateDiagramOptions = {},
): MermaidDiagram {
  const id = (state: string) => state.replace(/[^A-Za-z0-9_]/g, "_");
  const out = ["stateDiagram-v2"];
  const named = new Set<string>();
  const name = (state: string) => {
    if (id(state) !== state && !named.has(state)) {
      out.push(`  state "${escapeMermaid(state)}" as ${id(state)}`);
      named.add(state);
    }
    return id(state);
  };
  if (options.initial) out.push(`  [*] --> ${name(options.initial)}`);
  for (const t of transitions) {
    out.push(`  ${name(t.from)} --> ${name(t.to)}${t.label ? `: ${escapeMermaid(t.label)}` : ""}`);
  }
  for (const f of options.final ?? []) out.push(`  ${name(f)} --> [*]`);
  if (options.current) {
    out.push("  classDef current fill:#ffd54f,stroke:#e65100,stroke-width:2px");
    out.push(`  class ${id(options.current)} current`);
  }
  const plain = transitions.map((t) => `${t.from} --${t.label ? ` ${t.label} ` : ""}--> ${t.to}`);
  return new MermaidDiagram(out.join("\n"), plain.join("\n"));
}
