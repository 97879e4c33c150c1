/**
 * Which course modules a submission may use.
 *
 * `lib/` holds reference implementations of most exercises (an SMTP client, checksums,
 * sequence sets), so a three-line wrapper around lib would otherwise get full marks. Each
 * exercise names the modules a learner may import (`uses` in its grader, e.g.
 * `["lib/net/"]` for the socket exercises; by default the folders its stub imports).
 * Everything else in the course (the rest of `lib/`, `solutions/`, `graders/`, `tools/`)
 * is off limits to graded code.
 *
 * The check reads the real module graph, twice: before grading, `deno info --json` of the
 * submission (static and literal dynamic imports, through the learner's own helper files);
 * after grading, the files the learner's process actually read, from Deno's audit log
 * (which also catches `import("../../lib/" + name)`). Either way the exercise scores 0,
 * with the import chain and the reason.
 *
 * @module
 */

import { COURSE_ROOT } from "./discover.ts";

/** Always usable: the stub's own `todo()` helper. */
export const ALWAYS_ALLOWED = ["lib/grading/exercise.ts"];

/** A module the submission reached but may not use. */
export interface ImportViolation {
  /** Course-relative path of the forbidden module. */
  module: string;
  /** How it was reached: the submission's file first, the forbidden module last. */
  chain: string[];
  /** Found in what the learner's process read, not in the static module graph. */
  atRunTime?: boolean;
}

interface InfoModule {
  specifier: string;
  kind?: string;
  error?: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

function pathOf(specifier: string): string | null {
  if (!specifier.startsWith("file://")) return null;
  const path = decodeURIComponent(new URL(specifier).pathname);
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/** The code dependencies of every module reachable from `path` (`deno info --json`). */
export async function moduleGraph(path: string, cwd = COURSE_ROOT): Promise<Map<string, string[]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--no-remote", path],
    cwd,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot read the module graph of ${path}: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const graph = new Map<string, string[]>();
  for (const module of info.modules) {
    const deps = (module.dependencies ?? []).flatMap((d) => d.code ? [d.code.specifier] : []);
    graph.set(module.specifier, deps);
  }
  return graph;
}

/** Whether a course-relative path is one of the allowed modules or inside an allowed folder. */
export function isAllowed(relative: string, uses: readonly string[]): boolean {
  return [...ALWAYS_ALLOWED, ...uses].some((allowed) =>
    allowed.endsWith("/") ? relative.startsWith(allowed) : relative === allowed
  );
}

/**
 * Modules the submission at `path` reaches but may not use, and every file its graph
 * reaches. `own` is the submission's folder: files there are the learner's own, and are
 * followed, except the learner's other exercises (`otherExercises`, paths inside `own`
 * such as `03_smtp/mini_client.ts`), which their own exercise's policy governs.
 */
export async function importViolations(
  path: string,
  uses: readonly string[],
  own: string,
  root = COURSE_ROOT,
  otherExercises: ReadonlySet<string> = new Set(),
): Promise<{ violations: ImportViolation[]; reached: Set<string> }> {
  const graph = await moduleGraph(path, root);
  const start = `file://${path}`;
  const realRoot = Deno.realPathSync(root);
  const realOwn = (() => {
    try {
      return Deno.realPathSync(own);
    } catch {
      return own;
    }
  })();
  const violations: ImportViolation[] = [];
  const seen = new Set<string>([start]);
  const queue: { specifier: string; chain: string[] }[] = [{
    specifier: start,
    chain: [relativeTo(pathOf(start) ?? path, realRoot, realOwn)],
  }];
  while (queue.length) {
    const { specifier, chain } = queue.shift()!;
    for (const dep of graph.get(specifier) ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      if (dep.startsWith("node:")) continue;
      const file = pathOf(dep);
      const shown = file ? relativeTo(file, realRoot, realOwn) : dep;
      if (file && (file.startsWith(`${realOwn}/`))) {
        if (!otherExercises.has(file.slice(realOwn.length + 1))) {
          queue.push({ specifier: dep, chain: [...chain, shown] });
        }
        continue;
      }
      if (file && file.startsWith(`${realRoot}/`) && isAllowed(shown, uses)) continue;
      violations.push({ module: shown, chain: [...chain, shown] });
    }
  }
  const reached = new Set<string>();
  for (const specifier of graph.keys()) {
    const file = pathOf(specifier);
    if (file) reached.add(file);
  }
  return { violations, reached };
}

function relativeTo(file: string, root: string, own: string): string {
  if (file.startsWith(`${own}/`) && own.startsWith(`${root}/`)) return file.slice(root.length + 1);
  if (file.startsWith(`${root}/`)) return file.slice(root.length + 1);
  if (file.startsWith(`${own}/`)) return `exercises/${file.slice(own.length + 1)}`;
  return file;
}

/** The files that allowed modules load in turn: reading them at run time is fine. */
const closures = new Map<string, Promise<Set<string>>>();

/** Every file the allowed modules reach (their whole module graphs). */
export function allowedClosure(uses: readonly string[], root = COURSE_ROOT): Promise<Set<string>> {
  const key = `${root}\n${[...uses].sort().join("\n")}`;
  let closure = closures.get(key);
  if (!closure) {
    closure = (async () => {
      const files = new Set<string>();
      for (const allowed of [...ALWAYS_ALLOWED, ...uses]) {
        const entries = allowed.endsWith("/")
          ? [...Deno.readDirSync(`${root}/${allowed}`)]
            .filter((e) => e.isFile && /\.ts$/.test(e.name) && !/_test\.ts$/.test(e.name))
            .map((e) => `${root}/${allowed}${e.name}`)
          : [`${root}/${allowed}`];
        for (const entry of entries) {
          for (const specifier of (await moduleGraph(entry, root)).keys()) {
            const file = pathOf(specifier);
            if (file) files.add(file);
          }
        }
      }
      return files;
    })();
    closures.set(key, closure);
  }
  return closure;
}

/** A violation as the learner reads it: which import, and why it is refused. */
export function violationText(violation: ImportViolation, uses: readonly string[]): string {
  const allowed = [...uses, ...ALWAYS_ALLOWED].join(", ");
  const via = violation.chain.length > 2
    ? ` (through ${violation.chain.slice(1, -1).join(" → ")})`
    : "";
  const why = violation.module.startsWith("solutions/")
    ? "it is the reference answer"
    : violation.module.startsWith("graders/")
    ? "it is the grader"
    : violation.module.startsWith("lib/")
    ? "the course library holds reference implementations, and this exercise asks you to write this part yourself"
    : "it is not part of what this exercise lets you use";
  const verb = violation.atRunTime ? "loaded at run time" : "imports";
  return `${violation.chain[0]} ${verb} ${violation.module}${via}: ${why}. ` +
    `This exercise may use: ${allowed}. The exercise scores 0 until the import is gone.`;
}

/** The default `uses` of an exercise: the course folders its shipped stub imports. */
export function usesFromStub(stub: string, exerciseId: string): string[] {
  const uses = new Set<string>();
  const pattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm;
  for (const match of stub.matchAll(pattern)) {
    const specifier = match[1];
    if (!specifier.startsWith(".")) continue;
    const url = new URL(specifier, `file:///course/exercises/${exerciseId}.ts`);
    const relative = url.pathname.replace(/^\/course\//, "");
    if (ALWAYS_ALLOWED.includes(relative)) continue;
    const folder = relative.match(/^(lib\/[^/]+\/)/);
    uses.add(folder ? folder[1] : relative);
  }
  return [...uses];
}
