/**
 * `deno task fmt-notebooks [name...]`: rewrite the course's notebooks in the form JupyterLab
 * saves them (see jupyter_form.ts), with outputs cleared, so that opening and saving an
 * untouched notebook changes nothing.
 *
 * @module
 */

import { jupyterLabForm } from "./jupyter_form.ts";
import { notebookPaths } from "./notebooks.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

let changed = 0;
for (const path of notebookPaths(Deno.args)) {
  const text = Deno.readTextFileSync(path);
  const wanted = jupyterLabForm(text);
  if (wanted === text) continue;
  Deno.writeTextFileSync(path, wanted);
  changed++;
  console.log(`rewrote ${path.slice(ROOT.length + 1)}`);
}
console.log(`${changed} notebook${changed === 1 ? "" : "s"} rewritten`);
