/**
 * Notebooks in exactly the form JupyterLab 4 saves them, so that opening and saving an
 * untouched chapter leaves git clean and a learner's `git diff` shows only their changes.
 *
 * What JupyterLab does on open and save (checked by saving through JupyterLab 4.6 in a
 * browser, tests/notebook_save_test.ts):
 *
 * - in the browser, it sets `metadata.kernelspec` from the kernelspec it started and
 *   `metadata.language_info` from the kernel's `kernel_info_reply` (the Deno kernel reports
 *   the TypeScript version it embeds), and upgrades older notebooks to nbformat 4.5 with an
 *   `id` on every cell; a notebook that differs is marked modified at once;
 * - on the server, `nbformat.write` serialises it: keys sorted, one-space indent, `": "`
 *   and `","` separators, non-ASCII text kept as is, each string of `source` split into
 *   lines the way Python's `str.splitlines(True)` splits, a final newline; code cells keep
 *   `execution_count` and `outputs` (committed as `null` and `[]`).
 *
 * `deno task fmt-notebooks` rewrites the notebooks in this form; the notebook check fails on
 * a notebook that is not in it.
 *
 * @module
 */

/** The kernelspec the course registers (tools/venv.ts), as JupyterLab records it. */
export const KERNELSPEC = { display_name: "Deno", language: "typescript", name: "deno" };

/** What the Deno kernel reports as its language in `kernel_info_reply`. */
export function languageInfo(): Record<string, string> {
  return {
    codemirror_mode: "typescript",
    file_extension: ".ts",
    mimetype: "text/x.typescript",
    name: "typescript",
    nbconvert_exporter: "script",
    pygments_lexer: "typescript",
    // The kernel is this same Deno binary (the kernelspec runs Deno.execPath()).
    version: Deno.version.typescript,
  };
}

// Python's str.splitlines() ends a line at each of these (and at "\r\n" as one break).
// deno-lint-ignore no-control-regex -- these control characters are line breaks to Python
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

/**
 * Split text into lines that keep their line breaks, as Python's `str.splitlines(True)`
 * does (nbformat stores `source` this way).
 *
 * @example Lines keep their breaks; the last line may have none
 * ```ts
 * import { splitLinesKeepEnds } from "./jupyter_form.ts";
 * const lines = splitLinesKeepEnds("a\r\nb\nc");
 * if (JSON.stringify(lines) !== '["a\\r\\n","b\\n","c"]') throw new Error(String(lines));
 * ```
 */
export function splitLinesKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (const match of text.matchAll(LINE_BREAK)) {
    const end = match.index + match[0].length;
    lines.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** JSON text with sorted keys and one-space indent, as Python's `json.dumps(indent=1, sort_keys=True, ensure_ascii=False)`. */
function pythonJson(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = indent + " ";
    return `[\n${value.map((v) => inner + pythonJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    // Python compares keys by code point; JavaScript's default sort by UTF-16 unit.
    const keys = Object.keys(value).sort((a, b) => {
      const [x, y] = [[...a].map((c) => c.codePointAt(0)!), [...b].map((c) => c.codePointAt(0)!)];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    });
    if (keys.length === 0) return "{}";
    const inner = indent + " ";
    const record = value as Record<string, unknown>;
    return `{\n${
      keys.map((k) => `${inner}${JSON.stringify(k)}: ${pythonJson(record[k], inner)}`).join(",\n")
    }\n${indent}}`;
  }
  if (typeof value === "number" && !Number.isInteger(value)) {
    throw new Error(`Cannot write notebook JSON: the float ${value} may differ from Python's`);
  }
  return JSON.stringify(value);
}

/** A notebook cell as stored. */
interface StoredCell {
  cell_type: string;
  id?: string;
  metadata?: Record<string, unknown>;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}

function newCellId(taken: Set<string>): string {
  for (;;) {
    const id = crypto.randomUUID().slice(0, 8);
    if (!taken.has(id)) return id;
  }
}

/**
 * The text JupyterLab writes when it opens and saves this notebook without changes, with
 * outputs and execution counts cleared (notebooks are committed without them).
 *
 * @throws {Error} the text is not a JSON notebook.
 */
export function jupyterLabForm(text: string): string {
  const notebook = JSON.parse(text);
  if (!Array.isArray(notebook?.cells)) throw new Error("Cannot read notebook: it has no cells");
  const cells = notebook.cells as StoredCell[];
  const taken = new Set(cells.map((c) => c.id).filter((id): id is string => !!id));
  const seen = new Set<string>();
  for (const cell of cells) {
    if (!cell.id || seen.has(cell.id)) cell.id = newCellId(taken);
    taken.add(cell.id);
    seen.add(cell.id);
    cell.metadata ??= {};
    delete cell.metadata.trusted; // nbformat strips it on save
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source ?? "";
    cell.source = splitLinesKeepEnds(source);
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  const metadata = { ...notebook.metadata };
  for (const key of ["orig_nbformat", "orig_nbformat_minor", "signature"]) delete metadata[key];
  metadata.kernelspec = { ...KERNELSPEC };
  metadata.language_info = languageInfo();
  return pythonJson({ ...notebook, cells, metadata, nbformat: 4, nbformat_minor: 5 }) + "\n";
}

/**
 * Why the notebook text is not in {@linkcode jupyterLabForm}, or null when it is.
 *
 * @example
 * ```ts
 * import { formProblem, jupyterLabForm } from "./jupyter_form.ts";
 * const text = jupyterLabForm('{"cells": [], "metadata": {}}');
 * if (formProblem(text) !== null) throw new Error("the form is its own fixed point");
 * if (!formProblem('{"cells": [], "metadata": {}}')?.includes("line 1")) throw new Error();
 * ```
 */
export function formProblem(text: string): string | null {
  let wanted: string;
  try {
    wanted = jupyterLabForm(text);
  } catch (error) {
    return (error as Error).message;
  }
  if (wanted === text) return null;
  const have = text.split("\n"), want = wanted.split("\n");
  let line = 0;
  while (line < have.length && have[line] === want[line]) line++;
  return `not in the form JupyterLab saves (from line ${line + 1}: ${
    JSON.stringify(have[line] ?? "(end of file)")
  }, JupyterLab writes ${JSON.stringify(want[line] ?? "(end of file)")}); ` +
    "run `deno task fmt-notebooks`";
}
