import assert from "node:assert/strict";
import { BEGIN, END, formatLimit, LIMIT_SOURCES, limitsTable } from "./limits_table.ts";

/** Table rows as lists of trimmed cells: `deno fmt` pads the README's cells. */
function cells(table: string): string[][] {
  return table.trim().split("\n")
    .filter((row) => row.startsWith("|") && !/^\|\s*-/.test(row))
    .map((row) => row.slice(1, -1).split("|").map((cell) => cell.trim()));
}

Deno.test("README's limits table says what the code says (deno run -A tools/limits_table.ts --write)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  assert.ok(start >= 0 && end > start, "README.md has the limits table markers");
  assert.deepEqual(cells(readme.slice(start + BEGIN.length, end)), cells(limitsTable()));
});

Deno.test("limitsTable() lists every limit of every server, each with its note", () => {
  const rows = cells(limitsTable()).slice(1);
  const count = LIMIT_SOURCES.reduce((sum, source) => sum + Object.keys(source.limits).length, 0);
  assert.equal(rows.length, count);
  for (const source of LIMIT_SOURCES) {
    for (const name of Object.keys(source.limits)) {
      assert.ok(source.notes[name]?.length, `${source.file} ${name} has a note`);
    }
  }
  assert.ok(
    rows.some(([server, name, value]) =>
      server === "IMAP" && name.includes("loginTimeoutMs") && value === "3 min"
    ),
  );
});

Deno.test("formatLimit() writes durations, sizes and counts as a reader reads them", () => {
  assert.equal(formatLimit("idleTimeoutMs", 30 * 60 * 1000), "30 min");
  assert.equal(formatLimit("firstDelayMs", 2000), "2 s");
  assert.equal(formatLimit("forgetAfterMs", 3_600_000), "1 h");
  assert.equal(formatLimit("maxMessageSize", 10 * 1024 * 1024), "10 MiB");
  assert.equal(formatLimit("readBuffer", 32 * 1024), "32 KiB");
  assert.equal(formatLimit("textLine", 1000), "1,000");
  assert.equal(formatLimit("commandLine", 510), "510");
});
