/**
 * Grading a class: 30+ generated submissions (reference solutions, untouched stubs, kept
 * wrong answers, and broken or hostile ones) in the layouts teachers receive, graded by
 * `deno task grade-class` into the right gradebook.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type ExerciseResult,
  findExercises,
  gradeModule,
  loadExercise,
  originalStub,
} from "../lib/grading/mod.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const CHOSEN = "02_tcp/drive_state,02_tcp/seq_ack";
const entries = CHOSEN.split(",").flatMap((id) => findExercises(id));

/** A wrong answer as a student would hand it in: imports relative to exercises/NN/. */
const asSubmitted = (path: string) =>
  Deno.readTextFileSync(path).replaceAll("../../../lib/", "../../lib/");

function put(dir: string, file: string, text: string): void {
  Deno.mkdirSync(`${dir}/${file}`.replace(/\/[^/]+$/, ""), { recursive: true });
  Deno.writeTextFileSync(`${dir}/${file}`, text);
}

Deno.test("deno task grade-class grades 30+ submissions into the right gradebook", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const subs = `${dir}/submissions`;
    const [drive, seq] = entries; // 02_tcp/drive_state, 02_tcp/seq_ack
    const stubs = new Map<string, string>();
    for (const e of entries) {
      stubs.set(e.id, await originalStub(e) ?? Deno.readTextFileSync(e.exercisePath));
    }
    const solution = (id: string) => Deno.readTextFileSync(`${ROOT}/solutions/${id}.ts`);
    const name = (id: string) => id.split("/")[1];

    /** What each student hands in, by exercise id, and the expected source of each score. */
    const students: Record<string, Record<string, string>> = {};
    const layouts = [
      (id: string) => `exercises/${id}.ts`, // a clone of the course
      (id: string) => `${name(id)}.ts`, // files only
      (id: string) => `homework 2/${id}.ts`, // an LMS download with a folder level
    ];
    const submit = (student: string, files: Record<string, string>, layout = 0) => {
      students[student] = files;
      for (const [id, text] of Object.entries(files)) {
        put(`${subs}/${student}`, layouts[layout](id), text);
      }
    };
    for (let i = 0; i < 6; i++) {
      submit(`solved-${i}`, { [drive.id]: solution(drive.id), [seq.id]: solution(seq.id) }, i % 3);
    }
    for (let i = 0; i < 4; i++) {
      submit(
        `stub-${i}`,
        { [drive.id]: stubs.get(drive.id)!, [seq.id]: stubs.get(seq.id)! },
        i % 3,
      );
    }
    for (const e of entries) {
      const other = entries.find((o) => o !== e)!;
      for (const [i, wrong] of e.wrongPaths.entries()) {
        const student = `wrong-${name(e.id)}-${wrong.split("/").pop()!.split(".")[1]}`;
        submit(student, { [e.id]: asSubmitted(wrong), [other.id]: solution(other.id) }, i % 3);
      }
    }
    submit("syntax-error", {
      [drive.id]: "export function closingNextState( {",
      [seq.id]: solution(seq.id),
    });
    submit("exits", {
      [drive.id]: `Deno.exit(0);\n${solution(drive.id)}`,
      [seq.id]: solution(seq.id),
    });
    submit("only-one", { [seq.id]: solution(seq.id) });
    submit("forger", {
      [drive.id]:
        `try { Deno.writeTextFileSync("${dir}/out/gradebook.csv", "forged"); } catch { /* */ }\n` +
        stubs.get(drive.id)!,
      [seq.id]: solution(seq.id),
    });
    submit("wraps-lib", {
      [drive.id]: `import { nextState } from "../../lib/tcp/mod.ts";\n` +
        `export const closingNextState = (s: string, e: string) => nextState(s as never, e as never);\n`,
      [seq.id]: solution(seq.id),
    });
    Deno.mkdirSync(`${subs}/empty-folder`);
    students["empty-folder"] = {};
    const count = Object.keys(students).length;
    assert.ok(count >= 30, `only ${count} submissions`);

    const out = `${dir}/out`;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/grade_class.ts", subs, CHOSEN, "--out", out, "--jobs", "3"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, text);
    assert.match(text, new RegExp(`${count} students graded`));

    // The expected scores: each distinct file graded on its own, here.
    const direct = new Map<string, Promise<ExerciseResult>>();
    const expected = async (id: string, source: string) => {
      const key = `${id}\n${source}`;
      if (!direct.has(key)) {
        const entry = entries.find((e) => e.id === id)!;
        const path = entry.exercisePath.replace(/([^/]+)\.ts$/, `.class-test-${direct.size}.$1.ts`);
        Deno.writeTextFileSync(path, source);
        direct.set(
          key,
          loadExercise(entry).then((ex) => gradeModule(id, ex, `file://${path}`)).finally(() =>
            Deno.removeSync(path)
          ),
        );
      }
      return (await direct.get(key)!).score;
    };

    const csv = (await Deno.readTextFile(`${out}/gradebook.csv`)).trim().split("\n");
    assert.deepEqual(csv[0].split(","), [
      "student",
      "score",
      "max_score",
      drive.id,
      `${drive.id} status`,
      seq.id,
      `${seq.id} status`,
    ]);
    const rows = new Map(csv.slice(1).map((line) => [line.split(",")[0], line.split(",")]));
    assert.equal(rows.size, count);
    const max = Number(rows.get("solved-0")![2]);
    for (const [student, files] of Object.entries(students)) {
      const row = rows.get(student);
      assert.ok(row, `${student} is missing from the gradebook`);
      let total = 0;
      for (const [column, e] of [[3, drive], [5, seq]] as const) {
        const source = files[e.id];
        const want = source === undefined ? 0 : await expected(e.id, source);
        assert.equal(Number(row[column]), want, `${student}, ${e.id}`);
        total += want;
      }
      assert.equal(Number(row[1]), total, `${student}: total`);
      assert.equal(Number(row[2]), max, `${student}: max score`);
    }
    assert.equal(rows.get("solved-2")![1], String(max));
    assert.equal(rows.get("stub-1")![1], "0");
    assert.equal(rows.get("syntax-error")![4], "does not load");
    assert.equal(rows.get("exits")![4], "does not load");
    assert.equal(rows.get("only-one")![4], "not submitted");
    assert.equal(rows.get("wraps-lib")![4], "forbidden import");
    assert.equal(rows.get("forger")![3], "0");
    assert.equal(rows.get("empty-folder")![1], "0");
    for (const [student, row] of rows) {
      if (student.startsWith("wrong-")) {
        assert.ok(Number(row[1]) < max, `${student} got full marks`);
      }
    }
    // Each student's own reports, in the formats schools' systems read.
    const results = JSON.parse(await Deno.readTextFile(`${out}/students/forger/results.json`));
    assert.equal(results.score, Number(rows.get("forger")![1]));
    const notes = JSON.parse(await Deno.readTextFile(`${out}/students/forger/score.json`));
    assert.equal(notes.score, results.score);
    assert.match(
      await Deno.readTextFile(`${out}/students/solved-2/junit.xml`),
      /<testsuite name="02_tcp\/drive_state"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
