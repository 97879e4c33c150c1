/**
 * `deno task grade`, `hint`, `reset`, `solution`, `progress`: the learner's and the
 * teacher's grading commands.
 *
 *   deno task grade [chapter|exercise] [--watch] [--hidden] [--solutions] [--out DIR] [--strict] [--json]
 *   deno task hint 00_welcome/ask_tiny
 *   deno task reset 00_welcome/ask_tiny
 *   deno task solution 00_welcome/ask_tiny
 *   deno task progress
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  COURSE_ROOT,
  courseItems,
  courseOverview,
  type ExerciseEntry,
  type ExerciseResult,
  findExercises,
  gradeModule,
  loadExercise,
  originalStub,
  readProgress,
  recordResults,
  textReport,
  writeProgress,
  writeReports,
} from "../lib/grading/mod.ts";

const USAGE = `usage:
  deno task grade [chapter|exercise] [--watch] [--hidden] [--solutions] [--out DIR] [--strict] [--json]
  deno task hint <exercise>       show the next hint
  deno task reset <exercise>      put the original stub back (your version is backed up)
  deno task solution <exercise>   show the reference solution once your exercise passes
  deno task progress              your progress across the course`;

const { values: flags, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    watch: { type: "boolean" },
    hidden: { type: "boolean" },
    solutions: { type: "boolean" },
    out: { type: "string" },
    strict: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

function oneExercise(name: string | undefined): ExerciseEntry {
  if (!name) fail(USAGE);
  const found = findExercises(name).filter((e) => e.id === name || e.id.endsWith(`/${name}`));
  if (found.length !== 1) {
    fail(
      `Cannot find exercise "${name}". Exercises: ${findExercises().map((e) => e.id).join(", ")}`,
    );
  }
  return found[0];
}

async function grade(
  entries: ExerciseEntry[],
  target: "exercises" | "solutions",
): Promise<ExerciseResult[]> {
  const results: ExerciseResult[] = [];
  for (const entry of entries) {
    const exercise = await loadExercise(entry, flags.hidden ?? false);
    const path = target === "solutions" ? entry.solutionPath : entry.exercisePath;
    if (!path) {
      fail(`Cannot grade ${entry.id}: there is no solutions/ folder in this copy of the course`);
    }
    results.push(await gradeModule(entry.id, exercise, `file://${path}`));
  }
  return results;
}

/** Says so when --hidden is asked for but this copy has no hidden checks for some exercises. */
function hiddenNotice(entries: ExerciseEntry[]): string | null {
  const without = entries.filter((e) => !e.hiddenPath).map((e) => e.id);
  if (!flags.hidden || without.length === 0) return null;
  const all = without.length === entries.length;
  return `NOTICE: --hidden, but this copy of the course has no hidden checks for ${
    all ? "any of these exercises" : without.join(", ")
  } (graders/**/NAME.hidden.ts are left out of student copies). ` +
    `The totals below count visible checks only${
      all ? "" : " for those"
    }; grade in the teacher's copy for the full score.`;
}

async function gradeCommand(filter: string | undefined): Promise<number> {
  const entries = findExercises(filter);
  if (entries.length === 0) fail(`No exercise matches "${filter}". Try: deno task progress`);
  const notice = hiddenNotice(entries);
  if (notice) console.error(notice + "\n");
  const target = flags.solutions ? "solutions" : "exercises";
  const results = await grade(entries, target);
  if (target === "exercises") writeProgress(recordResults(readProgress(), results));
  if (flags.json) {
    console.log(JSON.stringify(results));
  } else {
    const out = flags.out ?? `${COURSE_ROOT}/results`;
    writeReports(results, out);
    console.log(textReport(results));
    console.log(`\nreports: ${out}/results.json (Gradescope), junit.xml, score.json`);
  }
  const full = results.every((r) => r.score === r.maxScore);
  return flags.strict && !full ? 1 : 0;
}

/** Re-grade in a fresh process whenever a file under exercises/ changes. */
async function watch(filter: string | undefined): Promise<never> {
  const args = ["run", "-A", import.meta.filename!, ...(filter ? [filter] : [])];
  if (flags.hidden) args.push("--hidden");
  const run = async () => {
    console.clear();
    console.log(
      `grading at ${new Date().toLocaleTimeString()} (watching exercises/, Ctrl-C to stop)\n`,
    );
    await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" })
      .output();
  };
  // Watch before the first grading, so that a save made while it runs is not missed.
  const watcher = Deno.watchFs(`${COURSE_ROOT}/exercises`);
  await run();
  let timer: ReturnType<typeof setTimeout> | undefined;
  for await (const event of watcher) {
    if (!event.paths.some((p) => p.endsWith(".ts"))) continue;
    clearTimeout(timer); // an editor's save is several events: grade once they settle
    timer = setTimeout(run, 150);
  }
  throw new Error("unreachable");
}

async function hint(name: string | undefined): Promise<void> {
  const entry = oneExercise(name);
  const progress = readProgress();
  const exercise = await loadExercise(entry);
  const upTo = Math.min((progress[entry.id]?.hintsShown ?? 0) + 1, exercise.hints.length);
  console.log(`${entry.id}: ${exercise.title}\n`);
  exercise.hints.slice(0, upTo).forEach((h, i) =>
    console.log(`hint ${i + 1}/${exercise.hints.length}: ${h}\n`)
  );
  if (upTo === exercise.hints.length) {
    console.log(
      `That was the last hint. Each failing check has its own: deno task grade ${entry.id}`,
    );
  }
  const mine = progress[entry.id] ?? { best: 0, last: 0, maxScore: 0, hintsShown: 0 };
  writeProgress({ ...progress, [entry.id]: { ...mine, hintsShown: upTo } });
}

async function reset(name: string | undefined): Promise<void> {
  const entry = oneExercise(name);
  const stub = await originalStub(entry);
  if (stub === null) {
    fail(`Cannot reset: git has no history of ${entry.exercisePath.slice(COURSE_ROOT.length + 1)}`);
  }
  const backup = `${COURSE_ROOT}/.grading/backup/${entry.id}.${Date.now()}.ts`;
  Deno.mkdirSync(backup.slice(0, backup.lastIndexOf("/")), { recursive: true });
  Deno.copyFileSync(entry.exercisePath, backup);
  Deno.writeTextFileSync(entry.exercisePath, stub);
  console.log(`${entry.exercisePath.slice(COURSE_ROOT.length + 1)} is the original stub again.`);
  console.log(`Your version is saved in ${backup.slice(COURSE_ROOT.length + 1)}`);
}

async function solution(name: string | undefined): Promise<void> {
  const entry = oneExercise(name);
  if (!entry.solutionPath) {
    fail("This copy of the course has no solutions/ folder: ask your teacher.");
  }
  const [result] = await grade([entry], "exercises");
  writeProgress(recordResults(readProgress(), [result]));
  if (result.score !== result.maxScore) {
    console.log(
      `${entry.id} has ${result.score}/${result.maxScore} points. The solution opens once it passes.`,
    );
    console.log(`Stuck? deno task hint ${entry.id}`);
    return;
  }
  console.log(`// ${entry.solutionPath.slice(COURSE_ROOT.length + 1)}: compare it with yours\n`);
  console.log(Deno.readTextFileSync(entry.solutionPath));
}

async function progress(): Promise<void> {
  console.log(String(courseOverview(await courseItems(), readProgress())));
}

if (flags.help) {
  console.log(USAGE);
} else {
  const [command, argument] = positionals;
  switch (command) {
    case "hint":
      await hint(argument);
      break;
    case "reset":
      await reset(argument);
      break;
    case "solution":
      await solution(argument);
      break;
    case "progress":
      await progress();
      break;
    default:
      if (flags.watch) await watch(command);
      Deno.exit(await gradeCommand(command));
  }
}
