import assert from "node:assert/strict";
import { findExercises, loadExercise } from "./discover.ts";
import { gradeModule } from "./run.ts";
import { usesFromStub } from "./imports.ts";

const [entry] = findExercises("05_imap/sequence_sets");

/** A submission written beside the exercise (so its relative imports resolve), then removed. */
async function gradeSource(source: string) {
  const path = entry.exercisePath.replace(/([^/]+)\.ts$/, ".policy-test.$1.ts");
  await Deno.writeTextFile(path, source);
  try {
    return await gradeModule(entry.id, await loadExercise(entry), `file://${path}`);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("a wrapper around lib scores 0, naming the import and why", async () => {
  const result = await gradeSource(
    `import { formatSequenceSet, parseSequenceSet, selectFrom } from "../../lib/imap/mod.ts";\n` +
      `export const select = (s: string, e: number[]) => selectFrom(parseSequenceSet(s), e);\n` +
      `export const compress = (n: number[]) => formatSequenceSet(n);\n`,
  );
  assert.equal(result.score, 0);
  assert.match(
    result.importViolations?.[0] ?? "",
    /exercises\/05_imap\/\.policy-test\.sequence_sets\.ts imports lib\/imap\/mod\.ts: the course library holds reference implementations/,
  );
  assert.ok(result.checks.every((c) => c.skipped), "nothing ran");
});

Deno.test("an import computed at run time is caught from what the process read", async () => {
  const result = await gradeSource(
    `const where = ["..", "..", "lib", "imap", "sequence_set.ts"].join("/");\n` +
      `const lib = await import(where);\n` +
      `export const select = (s: string, e: number[]) => lib.selectFrom(lib.parseSequenceSet(s), e);\n` +
      `export const compress = (n: number[]) => lib.formatSequenceSet(n);\n`,
  );
  assert.equal(result.score, 0);
  assert.match(
    result.importViolations?.[0] ?? "",
    /loaded at run time lib\/imap\/sequence_set\.ts: the course library/,
  );
});

Deno.test("the reference solutions and graders are out of reach", async () => {
  const result = await gradeSource(`export * from "../../solutions/05_imap/sequence_sets.ts";\n`);
  assert.equal(result.score, 0);
  assert.match(
    result.importViolations?.[0] ?? "",
    /imports solutions\/05_imap\/sequence_sets\.ts: it is the reference answer/,
  );
  const reading = await gradeSource(
    `export const select = () => { Deno.readTextFileSync(new URL("../../solutions/05_imap/sequence_sets.ts", import.meta.url)); return []; };\n` +
      `export const compress = () => "";\n`,
  );
  assert.match(
    reading.checks[0].message,
    /not allowed while grading: Requires read access to .*solutions/,
  );
});

Deno.test("usesFromStub() allows the course folders a stub imports, not type-only imports", () => {
  assert.deepEqual(
    usesFromStub(
      `import { todo } from "../../lib/grading/exercise.ts";\n` +
        `import { connectLoopback } from "../../lib/net/mod.ts";\n` +
        `import type { TcpState } from "../../lib/tcp/state.ts";\n`,
      "03_smtp/mini_client",
    ),
    ["lib/net/"],
  );
});
