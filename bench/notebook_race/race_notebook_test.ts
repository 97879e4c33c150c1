import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { probeSource, raceNotebook } from "./race_notebook.ts";

Deno.test("raceNotebook() makes a third of each probe kind, unrun, with cell ids", async (t) => {
  const nb = raceNotebook(60);
  await t.step("60 cells, 20 of each kind", () => {
    assertEquals(nb.cells.length, 60);
    const kinds = nb.cells.map((_, i) => probeSource(i).kind);
    for (const kind of ["log", "expression", "display"]) {
      assertEquals(kinds.filter((k) => k === kind).length, 20);
    }
  });
  await t.step("nbformat 4.5 for the deno kernel, no outputs", () => {
    assertEquals([nb.nbformat, nb.nbformat_minor], [4, 5]);
    assertEquals(nb.metadata.kernelspec.name, "deno");
    assertEquals(new Set(nb.cells.map((c) => c.id)).size, 60);
    assertEquals(nb.cells.every((c) => c.outputs.length === 0 && c.execution_count === null), true);
  });
});

Deno.test("probeSource() rotates log, expression, display", () => {
  assertEquals(probeSource(0).source, 'console.log("line 0")');
  assertEquals(probeSource(4).source, "4 * 2");
  assertEquals(
    probeSource(5).source,
    'await Deno.jupyter.display({ "text/plain": "shown 5" }, { raw: true })',
  );
});

Deno.test("raceNotebook() and probeSource() refuse bad sizes with a clear message", () => {
  assertThrows(() => raceNotebook(0), /count must be 1\.\.10000, got 0/);
  assertThrows(() => probeSource(-1), /index must be a whole number >= 0, got -1/);
});
