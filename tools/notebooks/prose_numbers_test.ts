import assert from "node:assert/strict";
import { looseNumbers } from "./prose_numbers.ts";
import { type Cell, notebookPaths } from "./notebooks.ts";

const markdown = (text: string): Cell => ({ cell_type: "markdown", source: text });
const code = (text: string): Cell => ({ cell_type: "code", source: text });

Deno.test("no notebook types a number in its prose that a run produces", () => {
  for (const path of notebookPaths()) {
    const name = path.slice(path.lastIndexOf("/") + 1, -".ipynb".length);
    const cells: Cell[] = JSON.parse(Deno.readTextFileSync(path)).cells;
    assert.deepEqual(looseNumbers(name, cells), [], name);
  }
});

Deno.test("looseNumbers() finds measured numbers typed by hand, and lets the others be", () => {
  const cells = [
    code("for (let i = 0; i < 300; i++) await roundTrip(); // delay 200 ms"),
    markdown(
      "A literal `{150023}` announces the body. The median was 125 µs, the header 413 B.\n\n" +
        "We time 300 round trips; the server waits 200 ms. The photo is about 150 KB; " +
        "the timer lasts at least 30 minutes; an ocean's round trip is 100 ms or more.\n\n" +
        "> **The notes say:** 防止丢包 (a quote: 2 packets)\n\n```mermaid\nA->>B: 3 EXISTS 12 bytes\n```",
    ),
  ];
  assert.deepEqual(looseNumbers("x", cells).map((l) => l.text), ["{150023}", "125 µs", "413 B"]);
});
