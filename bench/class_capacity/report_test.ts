/**
 * The per-learner figures in docs, README and the hub's config are the ones measure.ts
 * recorded: each file's generated part is exactly what report.ts renders from results.json.
 */
import assert from "node:assert/strict";
import {
  between,
  type CapacityResults,
  GENERATED,
  generatedPart,
  learnersPerNode,
  replaceBetween,
  resources,
} from "./report.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const results: CapacityResults = JSON.parse(
  Deno.readTextFileSync(new URL("./results.json", import.meta.url)),
);

for (const { file, key, render } of GENERATED) {
  Deno.test(`${file} holds the measured figures of results.json`, async () => {
    const text = Deno.readTextFileSync(`${ROOT}/${file}`);
    const expected = await generatedPart(file, render, results);
    assert.equal(between(text, key), expected, "run bench/class_capacity/measure.ts");
  });
}

Deno.test("replaceBetween() swaps only the generated part and keeps the marker lines", () => {
  const text = "a\n<!-- BEGIN k -->\nold\nlines\n<!-- END k -->\nz\n";
  const replaced = replaceBetween(text, "k", "new");
  assert.equal(replaced, "a\n<!-- BEGIN k -->\nnew\n<!-- END k -->\nz\n");
  assert.equal(between(replaced, "k"), "new");
  assert.throws(() => replaceBetween("no markers", "k", "x"), /Cannot find the BEGIN\/END k/);
});

Deno.test("resources() round memory up and keep at least a twentieth of a core guaranteed", () => {
  const MIB = 1024 * 1024;
  const res = resources({
    chapters: [],
    oneChapterRss: 300 * MIB + 1,
    allChaptersRss: 900 * MIB,
    courseCpuSeconds: 20,
    heaviest: { chapter: "x", cpuSeconds: 5 },
  });
  assert.deepEqual(res, {
    memoryGuarantee: "320M",
    memoryLimit: "1024M",
    cpuGuarantee: 0.05,
    cpuLimit: 1,
  });
  assert.equal(learnersPerNode(16 * 1024 * MIB, "320M"), Math.floor(14 * 1024 / 320));
});
