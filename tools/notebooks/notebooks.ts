/**
 * The course's notebooks on disk, and the hygiene every committed notebook keeps:
 * valid JSON, the Deno kernelspec, no outputs or execution counts, and the exact form
 * JupyterLab saves (jupyter_form.ts).
 *
 * @module
 */

import { formProblem } from "./jupyter_form.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** The folder of chapter notebooks. */
export const NOTEBOOKS = `${ROOT}/notebooks`;

/** The parts of a notebook cell we read. */
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

/** The parts of a notebook we read. */
export interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

/** Notebook paths in course order; `names` narrows to those whose file name contains one of them. */
export function notebookPaths(names: string[] = []): string[] {
  const all = [...Deno.readDirSync(NOTEBOOKS)]
    .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => `${NOTEBOOKS}/${e.name}`)
    .sort();
  return names.length ? all.filter((p) => names.some((n) => p.includes(n))) : all;
}

/** A cell's source as one string. */
export function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Problems that keep a notebook from being committed, as sentences. */
export function hygieneProblems(path: string): string[] {
  let notebook: Notebook;
  const text = Deno.readTextFileSync(path);
  try {
    notebook = JSON.parse(text);
  } catch (error) {
    return [`not valid JSON: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (notebook.metadata?.kernelspec?.name !== "deno") problems.push("its kernelspec is not deno");
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    if (cell.outputs?.length) problems.push(`cell ${index} carries outputs`);
    if (cell.execution_count != null) problems.push(`cell ${index} carries an execution count`);
  });
  const form = formProblem(text);
  if (form) problems.push(form);
  return problems;
}
