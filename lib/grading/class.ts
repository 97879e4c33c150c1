/**
 * Grade a whole class: a folder with one sub-folder per student (GitHub Classroom clones,
 * or an LMS download of files), each graded as `deno task grade` would, into a gradebook
 * CSV and each student's own results files.
 *
 * Each student is graded by a grading process of their own (`judge.ts`), several at a
 * time; inside it, each exercise's module runs sandboxed as always (`run.ts`). A student
 * whose grading crashes or hangs past the deadline gets a clear message and 0 for what
 * was not graded; the others are not affected. Only this process writes files.
 *
 * A student's files are found by name: `exercises/03_smtp/mini_client.ts` in a clone, or
 * `03_smtp/mini_client.ts` or just `mini_client.ts` anywhere in the folder (LMS downloads
 * often add a folder level). They are graded against this course's graders and library,
 * never the student's copy of them: each student's exercises are copied into a staging
 * folder beside links to this course's `lib/` and `fixtures/`.
 *
 * @module
 */

import { COURSE_ROOT, type ExerciseEntry, findExercises } from "./discover.ts";
import { type JudgeInput, notSubmitted, RESULTS_MARK } from "./judge.ts";
import type { ExerciseResult } from "./run.ts";
import { status, totals, writeReports } from "./reports.ts";

/** How to grade a class. */
export interface ClassOptions {
  /** One sub-folder per student. */
  submissions: string;
  /** Where the gradebook and the students' results go. */
  out: string;
  /** Chapters or exercises, comma-separated (as for `deno task grade`); default all. */
  filter?: string;
  /** Run hidden checks too. */
  hidden?: boolean;
  /** Students graded at once. Default 2. */
  jobs?: number;
  /** Most time one student's grading may take, in ms. Default 10 minutes. */
  studentTimeoutMs?: number;
  /** Called as each student is done. */
  onStudent?: (student: string, results: ExerciseResult[]) => void;
  root?: string;
}

/** One student's outcome. */
export interface StudentGrade {
  student: string;
  results: ExerciseResult[];
  /** Why the student's grading stopped early, if it did. */
  problem?: string;
}

function files(dir: string, depth = 0): string[] {
  if (depth > 5) return [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => {
    if (e.name.startsWith(".") || e.name === "node_modules") return [];
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) return files(path, depth + 1);
    return e.isFile && e.name.endsWith(".ts") ? [path] : [];
  });
}

/** The student's file for an exercise, or null: the most specific name match wins. */
export function findSubmission(studentDir: string, entry: ExerciseEntry): string | null {
  const name = entry.id.split("/")[1];
  const candidates = files(studentDir);
  const rank = (path: string) =>
    path.endsWith(`/exercises/${entry.id}.ts`)
      ? 0
      : path.endsWith(`/${entry.id}.ts`)
      ? 1
      : path.endsWith(`/${name}.ts`)
      ? 2
      : 9;
  const best = candidates.filter((p) => rank(p) < 9).sort((a, b) => rank(a) - rank(b))[0];
  return best ?? null;
}

/** Copy a student's exercise files into a staging tree beside links to this course's library. */
function stage(
  studentDir: string,
  entries: ExerciseEntry[],
  staging: string,
  root: string,
): { id: string; path: string | null }[] {
  Deno.mkdirSync(`${staging}/exercises`, { recursive: true });
  for (const folder of ["lib", "fixtures"]) {
    Deno.symlinkSync(`${root}/${folder}`, `${staging}/${folder}`);
  }
  return entries.map((entry) => {
    const found = findSubmission(studentDir, entry);
    if (!found) return { id: entry.id, path: null };
    const to = `${staging}/exercises/${entry.id}.ts`;
    Deno.mkdirSync(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    Deno.copyFileSync(found, to);
    return { id: entry.id, path: to };
  });
}

/** Grade one student in a grading process of their own. */
async function gradeStudent(
  student: string,
  jobs: { id: string; path: string | null }[],
  options: ClassOptions,
): Promise<StudentGrade> {
  const root = options.root ?? COURSE_ROOT;
  const input: JudgeInput = { hidden: options.hidden ?? false, jobs };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}/lib/grading/judge.ts`],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const limit = options.studentTimeoutMs ?? 10 * 60_000;
  timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, limit);
  const output = await child.output();
  clearTimeout(timer);
  timer = undefined;
  const stdout = new TextDecoder().decode(output.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith(RESULTS_MARK));
  if (line) return { student, results: JSON.parse(line.slice(RESULTS_MARK.length)) };
  const why = timedOut
    ? `the grading took longer than ${Math.round(limit / 1000)} s and was stopped`
    : `the grading process failed: ${
      new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ")
    }`;
  const results: ExerciseResult[] = [];
  for (const job of jobs) {
    const r = await notSubmitted(job.id, options.hidden ?? false);
    r.notes = [`not graded: ${why}`];
    for (const c of r.checks) c.message = "not graded";
    results.push(r);
  }
  return { student, results, problem: why };
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The gradebook: one row per student, total and each exercise's score and status. */
export function gradebookCsv(grades: readonly StudentGrade[], ids: readonly string[]): string {
  const header = ["student", "score", "max_score", ...ids.flatMap((id) => [id, `${id} status`])];
  const rows = grades.map((g) => {
    const { score, maxScore } = totals(g.results);
    const byId = new Map(g.results.map((r) => [r.id, r]));
    return [
      g.student,
      String(score),
      String(maxScore),
      ...ids.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return ["", ""];
        const state = r.notes?.some((n) => n.startsWith("not submitted"))
          ? "not submitted"
          : r.notes?.some((n) => n.startsWith("not graded"))
          ? "not graded"
          : status(r);
        return [String(r.score), state];
      }),
    ];
  });
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
}

/** A student's folder name as a safe file name. */
function safeName(student: string): string {
  return student.replace(/[^A-Za-z0-9._@-]/g, "_");
}

/** Grade every student folder; write `gradebook.csv` and `students/NAME/` under `out`. */
export async function gradeClass(options: ClassOptions): Promise<StudentGrade[]> {
  const root = options.root ?? COURSE_ROOT;
  // Several filters may be given, separated by commas: "02_tcp/seq_ack,03_smtp".
  const filters = options.filter ? options.filter.split(",").filter((f) => f) : [undefined];
  const entries = findExercises(undefined, root).filter((e) =>
    filters.some((f) => findExercises(f, root).some((m) => m.id === e.id))
  );
  if (entries.length === 0) {
    throw new Error(`Cannot grade: no exercise matches "${options.filter}"`);
  }
  const students = [...Deno.readDirSync(options.submissions)]
    .filter((e) => e.isDirectory && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
  const staging = Deno.makeTempDirSync({ prefix: "grading-class-" });
  const grades: StudentGrade[] = [];
  try {
    const queue = [...students];
    const worker = async () => {
      while (queue.length) {
        const student = queue.shift()!;
        const jobs = stage(
          `${options.submissions}/${student}`,
          entries,
          `${staging}/${safeName(student)}`,
          root,
        );
        const grade = await gradeStudent(student, jobs, options);
        grades.push(grade);
        writeReports(grade.results, `${options.out}/students/${safeName(student)}`);
        options.onStudent?.(student, grade.results);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 2) }, worker));
  } finally {
    Deno.removeSync(staging, { recursive: true });
  }
  grades.sort((a, b) => a.student.localeCompare(b.student));
  Deno.mkdirSync(options.out, { recursive: true });
  Deno.writeTextFileSync(
    `${options.out}/gradebook.csv`,
    gradebookCsv(grades, entries.map((e) => e.id)),
  );
  return grades;
}
