/**
 * What one learner costs, and how many learners a machine holds, as text: the generated
 * parts of docs/teach-a-class.md, README.md and deploy/jupyterhub/config.yaml. Everything
 * here is computed from `results.json` (written by measure.ts), so no figure is typed by hand;
 * report_test.ts checks that the files hold exactly what this module renders.
 *
 * @module
 */

/** One chapter notebook run top to bottom in a fresh kernel. */
export interface ChapterRun {
  chapter: string;
  /** Wall time of the run, seconds. */
  seconds: number;
  /** Highest sum of resident memory over the kernel's process tree, bytes. */
  peakRss: number;
  /** Highest sum of proportional set size (shared pages split between sharers), bytes. */
  peakPss: number;
  /** CPU time (user + system) of the kernel's process tree, seconds. */
  cpuSeconds: number;
  /** How many processes the tree had at most (the kernel and what it started). */
  maxProcesses: number;
}

/** What measure.ts records. */
export interface CapacityResults {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    os: string;
    kernel: string;
    deno: string;
    python: string;
    jupyterlab: string;
    /** Load average (1 min) before and after the measurement: the machine is shared. */
    loadBefore: number;
    loadAfter: number;
  };
  /** The learner's Jupyter server alone, after opening JupyterLab. */
  server: { peakRss: number; peakPss: number };
  /** How often each chapter was run. */
  rounds: number;
  runs: ChapterRun[];
}

/** Per-learner figures derived from the runs. */
export interface LearnerCost {
  /** Per chapter: the highest peak over the rounds, and the median CPU time. */
  chapters: {
    chapter: string;
    peakRss: number;
    peakPss: number;
    cpuSeconds: number;
    seconds: number;
  }[];
  /** The server plus the hungriest chapter's kernel: a learner working on one chapter. */
  oneChapterRss: number;
  /** The server plus every chapter's kernel at once: a learner who left them all open. */
  allChaptersRss: number;
  /** CPU time to run every chapter once, seconds. */
  courseCpuSeconds: number;
  /** The chapter that takes the most CPU, and how much. */
  heaviest: { chapter: string; cpuSeconds: number };
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Per-learner cost from the measured runs.
 *
 * @example
 * ```ts
 * import { learnerCost } from "./report.ts";
 * const run = (chapter: string, peakRss: number, cpuSeconds: number) =>
 *   ({ chapter, seconds: 1, peakRss, peakPss: peakRss, cpuSeconds, maxProcesses: 1 });
 * const cost = learnerCost({
 *   server: { peakRss: 100, peakPss: 90 },
 *   runs: [run("a", 10, 1), run("a", 20, 3), run("b", 5, 3)],
 * });
 * if (cost.oneChapterRss !== 120 || cost.allChaptersRss !== 125) throw new Error("memory");
 * if (cost.courseCpuSeconds !== 5 || cost.heaviest.chapter !== "b") throw new Error("cpu");
 * ```
 */
export function learnerCost(results: Pick<CapacityResults, "server" | "runs">): LearnerCost {
  const names = [...new Set(results.runs.map((r) => r.chapter))];
  const chapters = names.map((chapter) => {
    const runs = results.runs.filter((r) => r.chapter === chapter);
    return {
      chapter,
      peakRss: Math.max(...runs.map((r) => r.peakRss)),
      peakPss: Math.max(...runs.map((r) => r.peakPss)),
      cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
      seconds: median(runs.map((r) => r.seconds)),
    };
  });
  const heaviest = chapters.reduce((a, b) => (b.cpuSeconds > a.cpuSeconds ? b : a));
  return {
    chapters,
    oneChapterRss: results.server.peakRss + Math.max(...chapters.map((c) => c.peakRss)),
    allChaptersRss: results.server.peakRss + chapters.reduce((sum, c) => sum + c.peakRss, 0),
    courseCpuSeconds: chapters.reduce((sum, c) => sum + c.cpuSeconds, 0),
    heaviest: { chapter: heaviest.chapter, cpuSeconds: heaviest.cpuSeconds },
  };
}

/** Kubernetes memory quantities, rounded up to whole steps of `step` MiB. */
function mebibytes(bytes: number, step: number): string {
  return `${Math.ceil(bytes / MIB / step) * step}M`;
}

/**
 * The chart's per-learner resources: the guarantee holds the server and one chapter's kernel,
 * the limit every chapter's kernel at once; the CPU guarantee is the course's CPU time spread
 * over an hour (at least 0.05 of a core), the limit one core.
 */
export function resources(cost: LearnerCost): {
  memoryGuarantee: string;
  memoryLimit: string;
  cpuGuarantee: number;
  cpuLimit: number;
} {
  return {
    memoryGuarantee: mebibytes(cost.oneChapterRss, 64),
    memoryLimit: mebibytes(cost.allChaptersRss, 128),
    cpuGuarantee: Math.max(0.05, Math.ceil(cost.courseCpuSeconds / 3600 / 0.05) * 0.05),
    cpuLimit: 1,
  };
}

/** Memory set aside on every node for the system and Kubernetes (an assumption, not measured). */
export const NODE_RESERVE_BYTES = 2 * GIB;
/** Node sizes to tabulate: vCPUs and GiB, common cloud shapes. */
export const NODE_SIZES = [[4, 16], [8, 32], [16, 64], [32, 128]] as const;

/** How many learners fit on a node, by the memory guarantee. */
export function learnersPerNode(memoryBytes: number, guarantee: string): number {
  const perLearner = Number(guarantee.replace(/M$/, "")) * MIB;
  return Math.max(0, Math.floor((memoryBytes - NODE_RESERVE_BYTES) / perLearner));
}

const mib = (bytes: number) => `${Math.round(bytes / MIB)} MiB`;
const secs = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`;

/** The measured section of docs/teach-a-class.md. */
export function docSection(results: CapacityResults): string {
  const cost = learnerCost(results);
  const res = resources(cost);
  const m = results.machine;
  const machine = `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / GIB).toFixed(1)} GiB, ${m.os} ` +
    `(Linux ${m.kernel}), Deno ${m.deno}, Python ${m.python}, JupyterLab ${m.jupyterlab}`;
  const load = `load average ${m.loadBefore.toFixed(1)} before and ${m.loadAfter.toFixed(1)} after`;
  const rounds = results.rounds === 1 ? "once" : `${results.rounds} times`;
  const lines = [
    `Measured ${results.date.slice(0, 10)} by \`deno run -A bench/class_capacity/measure.ts\` on ` +
    `${machine}; ${load} (the machine is shared with other work). Every chapter ran ${rounds} top ` +
    `to bottom in a fresh kernel. Memory is the highest sum, sampled every 50 ms, over the kernel's ` +
    `process tree (the course's kernel wrapper, \`deno jupyter\`, and every server or program a ` +
    `cell starts) of resident memory (RSS), and of proportional memory (PSS: pages shared between ` +
    `processes split between them). CPU is the tree's user + system time, the median of the runs; ` +
    `on a busy machine it comes out higher than on a quiet one.`,
    "",
    "| chapter | peak memory (RSS) | peak memory (PSS) | CPU time |",
    "| ------- | ----------------: | ----------------: | -------: |",
    ...cost.chapters.map((c) =>
      `| ${c.chapter} | ${mib(c.peakRss)} | ${mib(c.peakPss)} | ${secs(c.cpuSeconds)} |`
    ),
    "",
    `- The learner's own Jupyter server, after opening JupyterLab: ${mib(results.server.peakRss)}.`,
    `- One learner working on one chapter (server + the largest kernel): **${
      mib(cost.oneChapterRss)
    }**; ` +
    `with every chapter open at once: ${mib(cost.allChaptersRss)}.`,
    `- Running every chapter once takes **${
      secs(cost.courseCpuSeconds)
    } of CPU**; the heaviest chapter, ` +
    `${cost.heaviest.chapter}, ${secs(cost.heaviest.cpuSeconds)}.`,
    "",
    `Hence the resources in \`deploy/jupyterhub/config.yaml\`: memory guaranteed ${res.memoryGuarantee} ` +
    `(one chapter), limited to ${res.memoryLimit} (every chapter open); CPU guaranteed ` +
    `${res.cpuGuarantee} of a core (the course's CPU time spread over an hour), limited to ${res.cpuLimit}.`,
    "",
    `| node | learners (by memory) | all of them run ${cost.heaviest.chapter} at the same moment |`,
    "| ---- | -------------------: | ----------------------------------------- |",
    ...NODE_SIZES.map(([cpus, gib]) => {
      const learners = learnersPerNode(gib * GIB, res.memoryGuarantee);
      const wait = learners * cost.heaviest.cpuSeconds / cpus;
      return `| ${cpus} vCPU, ${gib} GiB | ${learners} | about ${secs(wait)} until all are done |`;
    }),
    "",
    `Learners per node = (memory − ${
      NODE_RESERVE_BYTES / GIB
    } GiB kept for the system and Kubernetes, an ` +
    `assumption) ÷ the memory guarantee. Memory is the limit: learners read far more than they run, and ` +
    `even when a whole node's class presses Run All at once, the CPU is shared out within the time in the ` +
    `last column (learners × CPU time of the chapter ÷ vCPUs).`,
  ];
  return lines.join("\n");
}

/** The README's summary of the per-learner cost. */
export function readmeSection(results: CapacityResults): string {
  const cost = learnerCost(results);
  const res = resources(cost);
  const [cpus, gib] = NODE_SIZES[1];
  return `Measured per learner (${results.machine.cores}-core ${results.machine.os} machine, ` +
    `${results.date.slice(0, 10)}): **${
      mib(cost.oneChapterRss)
    }** of memory while working on a chapter ` +
    `(${mib(cost.allChaptersRss)} with every chapter open) and ${
      secs(cost.courseCpuSeconds)
    } of CPU to run ` +
    `the whole course; a node of ${cpus} vCPUs and ${gib} GiB holds about ` +
    `${learnersPerNode(gib * GIB, res.memoryGuarantee)} learners.`;
}

/** The resources block of deploy/jupyterhub/config.yaml (two-space indented, under singleuser). */
export function configSection(results: CapacityResults): string {
  const res = resources(learnerCost(results));
  return [
    "  memory:",
    `    guarantee: ${res.memoryGuarantee}`,
    `    limit: ${res.memoryLimit}`,
    "  cpu:",
    `    guarantee: ${res.cpuGuarantee}`,
    `    limit: ${res.cpuLimit}`,
  ].join("\n");
}

/**
 * `text` as `deno fmt` writes it in a Markdown file (the generated parts hold tables, which
 * the formatter aligns); other text unchanged.
 */
export async function formatted(text: string, ext: string): Promise<string> {
  if (ext !== "md") return text; // the YAML part is a fragment, already written as deno fmt would
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", ext, "-"],
    cwd: new URL("../../", import.meta.url).pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text + "\n"));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`Cannot format: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).replace(/\n$/, "");
}

/** What goes between the BEGIN and END lines of `file`: Markdown formatted, set off by blank lines. */
export async function generatedPart(
  file: string,
  render: (results: CapacityResults) => string,
  results: CapacityResults,
): Promise<string> {
  const ext = file.split(".").at(-1)!;
  const body = await formatted(render(results), ext);
  return ext === "md" ? `\n${body}\n` : body;
}

/** A file's generated part sits between a BEGIN and an END line naming `key`. */
export function replaceBetween(text: string, key: string, body: string): string {
  const pattern = new RegExp(`(^.*BEGIN ${key}.*\\n)[\\s\\S]*?(^.*END ${key}.*$)`, "m");
  if (!pattern.test(text)) throw new Error(`Cannot find the BEGIN/END ${key} lines`);
  return text.replace(pattern, (_, begin, end) => `${begin}${body}\n${end}`);
}

/** The generated part of a file (between the BEGIN and END lines naming `key`). */
export function between(text: string, key: string): string | null {
  const pattern = new RegExp(`^.*BEGIN ${key}.*\\n([\\s\\S]*?)\\n?^.*END ${key}.*$`, "m");
  return text.match(pattern)?.[1] ?? null;
}

/** The three files measure.ts writes into, with the key of their generated part. */
export const GENERATED = [
  { file: "docs/teach-a-class.md", key: "class-capacity", render: docSection },
  { file: "README.md", key: "class-capacity", render: readmeSection },
  { file: "deploy/jupyterhub/config.yaml", key: "class-capacity resources", render: configSection },
] as const;
