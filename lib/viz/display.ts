/**
 * Objects that know how to show themselves in Jupyter.
 *
 * The Deno kernel displays any value that has a `Symbol.for("Jupyter.display")` method
 * returning a MIME bundle. Using the symbol, rather than `Deno.jupyter`, keeps this code
 * usable (and testable) outside the kernel, where `Deno.jupyter` throws.
 *
 * @module
 */

/** The symbol the Deno kernel looks for. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** MIME type to content, as in a Jupyter `display_data` message. */
export type MimeBundle = Record<string, unknown>;

/** A value the kernel can display. */
export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** The bundle a displayable value would show (handy in tests). */
export function mimeBundle(value: Displayable): MimeBundle {
  return value[JUPYTER_DISPLAY]();
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A table: HTML in JupyterLab and exported pages, aligned text elsewhere.
 *
 * @example
 * ```ts
 * import { table, mimeBundle } from "./display.ts";
 * const t = table(["exercise", "points"], [["greeting", "3/3"]]);
 * const text = mimeBundle(t)["text/plain"] as string;
 * if (!text.includes("greeting")) throw new Error("unexpected");
 * ```
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": "<table><thead><tr>" + header.map((h) => `<th>${escapeHtml(h)}</th>`).join("") +
        "</tr></thead><tbody>" +
        rows.map((r) => "<tr>" + r.map((c) => `<td>${escapeHtml(c)}</td>`).join("") + "</tr>")
          .join("") +
        "</tbody></table>",
      "text/plain": textTable(header, rows),
    }),
  };
}

/** Columns padded to their widest cell. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const format = (r: readonly string[]) =>
    r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(format)].join(
    "\n",
  );
}

/**
 * Prose computed by a cell: shown as Markdown in JupyterLab and exported pages, as plain
 * text elsewhere. Numbers that come from a run belong here, not in a markdown cell, so
 * the page never states a number the run did not produce.
 *
 * @example
 * ```ts
 * import { markdown, mimeBundle } from "./display.ts";
 * const median = 125.3;
 * const shown = mimeBundle(markdown(`The median round trip was **${median} µs**.`));
 * if (shown["text/markdown"] !== "The median round trip was **125.3 µs**.") throw new Error();
 * ```
 */
export function markdown(text: string): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => ({ "text/markdown": text, "text/plain": text }),
  };
}
