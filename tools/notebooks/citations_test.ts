import assert from "node:assert/strict";
import { citations, tableOfContents, unknownCitations } from "./citations.ts";
import { notebookPaths, sourceOf } from "./notebooks.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("every RFC section and figure a notebook cites is in that RFC's table of contents", () => {
  let cited = 0;
  for (const path of notebookPaths()) {
    const cells = JSON.parse(Deno.readTextFileSync(path)).cells;
    cells.forEach((cell: { source: string[] }, index: number) => {
      const text = sourceOf(cell as never);
      cited += citations(text).length;
      assert.deepEqual(unknownCitations(text), [], `${path} cell ${index}`);
    });
  }
  assert.ok(cited > 30, `only ${cited} citations found: is the pattern still matching?`);
});

Deno.test("every RFC section and figure lib/tcp cites (and shows in diagrams) is in the table of contents", () => {
  for (const entry of Deno.readDirSync(`${ROOT}/lib/tcp`)) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = Deno.readTextFileSync(`${ROOT}/lib/tcp/${entry.name}`);
    assert.deepEqual(unknownCitations(text), [], entry.name);
  }
});

Deno.test("unknownCitations() catches the citations that were wrong", () => {
  assert.ok(tableOfContents("9293")?.has("Figure 7"));
  // Simultaneous open was cited as RFC 793's figure number; RFC 1939's lock is in section 4.
  assert.deepEqual(unknownCitations("RFC 9293 Figure 9 and RFC 1939 section 9"), [
    "RFC 9293 Figure 9: not in RFC 9293's table of contents",
    "RFC 1939 9: not in RFC 1939's table of contents",
  ]);
  assert.match(unknownCitations("RFC 4987 3.6")[0], /no table of contents/);
});
