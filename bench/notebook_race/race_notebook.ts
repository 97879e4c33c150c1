/**
 * The probe notebook for the "idle before last output" race: many tiny cells, each
 * producing exactly one output through one of the three ways a cell can show something
 * in the Deno kernel (a `stream` from `console.log`, an `execute_result` from a bare
 * expression, a `display_data` from `Deno.jupyter.display`). Every cell must show one
 * output, so a cell with none is the race, nothing else.
 *
 * @example
 * ```ts
 * import { raceNotebook } from "./race_notebook.ts";
 * const nb = raceNotebook(6);
 * console.assert(nb.cells.length === 6);
 * ```
 *
 * @module
 */

/** What a cell of the probe notebook does to produce its one output. */
export type ProbeKind = "log" | "expression" | "display";

/** The source of cell `index`: kinds rotate log, expression, display. */
export function probeSource(index: number): { kind: ProbeKind; source: string } {
  if (!Number.isInteger(index) || index < 0) {
    throw new RangeError(`Cannot make probe cell: index must be a whole number >= 0, got ${index}`);
  }
  switch (index % 3) {
    case 0:
      return { kind: "log", source: `console.log("line ${index}")` };
    case 1:
      return { kind: "expression", source: `${index} * 2` };
    default:
      return {
        kind: "display",
        source: `await Deno.jupyter.display({ "text/plain": "shown ${index}" }, { raw: true })`,
      };
  }
}

/** The one output cell `index` of the probe must show, as JupyterLab models it. */
export function expectedOutput(index: number): { type: string; text: string } {
  switch (probeSource(index).kind) {
    case "log":
      return { type: "stream", text: `line ${index}\n` };
    case "expression":
      return { type: "execute_result", text: String(index * 2) };
    case "display":
      return { type: "display_data", text: `shown ${index}` };
  }
}

/** A code cell as nbformat 4.5 stores it (no outputs, never run). */
export interface CodeCell {
  id: string;
  cell_type: "code";
  metadata: Record<string, never>;
  source: string;
  outputs: [];
  execution_count: null;
}

/** An nbformat 4.5 notebook for the Deno kernel. */
export interface Notebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: {
    kernelspec: { name: "deno"; display_name: "Deno"; language: "typescript" };
    language_info: { name: "typescript" };
  };
  cells: CodeCell[];
}

/** A notebook of `count` probe cells (the measurements use 60: 20 of each kind). */
export function raceNotebook(count = 60): Notebook {
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    throw new RangeError(`Cannot make probe notebook: count must be 1..10000, got ${count}`);
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: Array.from({ length: count }, (_, i) => ({
      id: `probe-${i}`,
      cell_type: "code",
      metadata: {},
      source: probeSource(i).source,
      outputs: [],
      execution_count: null,
    })),
  };
}
