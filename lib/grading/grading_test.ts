import assert from "node:assert/strict";
import { defineExercise, todo } from "./exercise.ts";
import { gradeModule } from "./run.ts";
import { gradescopeResults, junitXml, resultsView, scoreJson, textReport } from "./reports.ts";
import { mimeBundle } from "../viz/display.ts";
import { findExercises } from "./discover.ts";
import { recordResults } from "./progress.ts";

type Impl = { double(n: number): number };

const exercise = defineExercise<Impl>({
  title: "Double",
  hints: ["multiply"],
  checks: [
    { name: "double(2) is 4", points: 2, hint: "2 + 2", run: (m) => assert.equal(m.double(2), 4) },
    {
      name: "double(-1) is -2",
      points: 1,
      hint: "negatives too",
      run: (m) => assert.equal(m.double(-1), -2),
    },
    {
      name: "finishes in time",
      points: 1,
      hint: "no loops forever",
      timeoutMs: 50,
      run: () => new Promise(() => {}),
    },
  ],
});

function moduleUrl(source: string): string {
  return `data:application/typescript;base64,${btoa(source)}`;
}

Deno.test("gradeModule() scores each check and keeps hints for failures", async () => {
  const result = await gradeModule(
    "x/double",
    exercise,
    moduleUrl("export const double = (n: number) => Math.abs(n) * 2;"),
  );
  assert.equal(result.score, 2);
  assert.equal(result.maxScore, 4);
  const [first, second, third] = result.checks;
  assert.equal(first.passed, true);
  assert.equal(second.passed, false);
  assert.equal(second.hint, "negatives too");
  assert.match(third.message, /Timed out after 50 ms/);
});

Deno.test("gradeModule() tells an untouched stub from a broken module", async () => {
  const stub = await gradeModule(
    "x/double",
    exercise,
    moduleUrl(`export function double(): number { throw new Error("TODO: double it"); }`),
  );
  assert.ok(stub.checks[0].todo);
  const broken = await gradeModule("x/double", exercise, moduleUrl("export const double = ;"));
  assert.equal(broken.score, 0);
  assert.match(broken.loadError ?? "", /^Cannot load the module: SyntaxError: Expression expected/);
  assert.ok(broken.checks.every((c) => c.skipped && !c.passed), "its checks are marked not run");
  assert.ok(todo("x").message.startsWith("TODO: "));
});

Deno.test("reports carry points in Gradescope, JUnit and plain JSON form", async () => {
  const result = await gradeModule(
    "x/double",
    exercise,
    moduleUrl("export const double = (n: number) => n * 2;"),
  );
  const gs = gradescopeResults([result]) as {
    score: number;
    tests: { status: string; max_score: number }[];
  };
  assert.equal(gs.score, 3);
  assert.deepEqual(gs.tests.map((t) => t.status), ["passed", "passed", "failed"]);
  const xml = junitXml([result]);
  assert.match(xml, /<testsuite name="x\/double" tests="3" failures="1"/);
  assert.match(xml, /<failure message="Timed out after 50 ms: finishes in time">/);
  assert.deepEqual((scoreJson([result]) as { score: number; maxScore: number }).maxScore, 4);
  assert.match(
    textReport([result]),
    /x\/double +Double +3\/4 +failing[\s\S]*hint: no loops forever/,
  );
  const progress = recordResults({}, [result]);
  assert.deepEqual([progress["x/double"].best, progress["x/double"].passedAt], [3, undefined]);
});

Deno.test("findExercises() finds the warm-up with its stub, solution and wrong answers", () => {
  const [warmUp] = findExercises("00_welcome/ask_tiny");
  assert.equal(warmUp.chapter, "00_welcome");
  assert.ok(warmUp.exercisePath.endsWith("exercises/00_welcome/ask_tiny.ts"));
  assert.ok(warmUp.wrongPaths.length >= 2);
  assert.deepEqual(
    findExercises("00").map((e) => e.id),
    findExercises("00_welcome").map((e) => e.id),
  );
});

Deno.test("the notebook table reads like the terminal's: left-aligned, stub checks and first hint, plain words", async () => {
  const stub = await gradeModule(
    "x/double",
    { ...exercise, checks: exercise.checks.slice(0, 2) },
    moduleUrl(`export function double(): number { throw new Error("TODO: double it"); }`),
  );
  const wrong = await gradeModule(
    "x/triple",
    defineExercise<Impl>({
      title: "Triple",
      hints: ["times three"],
      checks: [{
        name: "double(2) is said as 4",
        points: 1,
        hint: "say it",
        run: (m) => assert.match(String(m.double(2)), /^4$/),
      }],
    }),
    moduleUrl("export const double = (n: number) => n * 3;"),
  );
  const html = mimeBundle(resultsView([stub, wrong]))["text/html"] as string;
  for (const tag of html.match(/<t[dh][ >][^>]*/g) ?? []) assert.match(tag, /text-align:left/);
  assert.match(html, /Not started yet\. 2 checks wait for it/);
  assert.match(html, /First hint:<\/b> multiply/);
  assert.doesNotMatch(html, /TODO/, "the stub's TODO is not repeated under every check");
  assert.match(html, /expected text matching \/\^4\$\/, got &#34;6&#34;/);
  assert.doesNotMatch(html, /did not match the regular expression/);
  const text = textReport([stub, wrong]);
  assert.match(
    text,
    /x\/double:\n {2}Not started yet\. 2 checks wait for it:[\s\S]*First hint: multiply/,
  );
});
