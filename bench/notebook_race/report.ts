/**
 * The measured numbers as prose: tables for docs/notebook-output-race.md and one summary
 * sentence for the README, each written between its markers, so no figure is typed by hand.
 *
 * @module
 */

import type { NbclientResult } from "./nbclient.ts";

/** One Restart and Run All in JupyterLab. */
export interface RunAllResult {
  notebook: string;
  seconds: number;
  code_cells: number;
  /** Cells (0-based) left without the output they show when nothing goes wrong. */
  empty: number[];
  /** Cells showing other outputs than their own (another cell's, or a missing one of several). */
  moved: number[];
  /** Outputs whose parent request was not running when they arrived (checked on the WebSocket). */
  out_of_window: number;
  errors: number[];
}

/** Everything measure.ts measured. */
export interface Results {
  date: string;
  machine: { cpus: number; deno: string; chromium: string; load_average_at_start: number[] };
  loads: Partial<
    Record<"quiet" | "loaded", {
      load_average_at_start: number[];
      jupyterlab: { course_kernel: RunAllResult[]; deno_kernel: RunAllResult[] };
      nbclient: { course_kernel: NbclientResult[]; deno_kernel: NbclientResult[] };
    }>
  >;
}

const KERNELS = { course_kernel: "course's kernel", deno_kernel: "Deno's own kernel" } as const;
const LOAD_NAMES = { quiet: "quiet", loaded: "2 CPU burners" } as const;

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Totals of Run All results. */
export function totals(runs: RunAllResult[]) {
  return {
    runs: runs.length,
    cells: sum(runs.map((r) => r.code_cells)),
    empty: sum(runs.map((r) => r.empty.length)),
    moved: sum(runs.map((r) => r.moved.length)),
    outOfWindow: sum(runs.map((r) => r.out_of_window)),
    runsWithProblems: runs.filter((r) => r.empty.length || r.moved.length || r.out_of_window)
      .length,
  };
}

function jupyterLabTable(results: Results): string {
  const rows = [
    "| load | kernel | notebook | Run Alls | cells run | empty cells | moved outputs | outputs outside their cell's run | median s |",
    "| ---- | ------ | -------- | -------: | --------: | ----------: | ------------: | -------------------------------: | -------: |",
  ];
  for (const [load, measured] of Object.entries(results.loads)) {
    for (const kernel of ["course_kernel", "deno_kernel"] as const) {
      const runs = measured!.jupyterlab[kernel];
      for (const notebook of [...new Set(runs.map((r) => r.notebook))]) {
        const mine = runs.filter((r) => r.notebook === notebook);
        const t = totals(mine);
        const seconds = mine.map((r) => r.seconds).sort((a, b) => a - b);
        rows.push(
          `| ${LOAD_NAMES[load as "quiet"]} | ${
            KERNELS[kernel]
          } | ${notebook} | ${t.runs} | ${t.cells} | ${t.empty} | ${t.moved} | ${t.outOfWindow} | ${
            seconds[Math.floor(seconds.length / 2)]
          } |`,
        );
      }
    }
  }
  return rows.join("\n");
}

function nbclientTable(results: Results): string {
  const rows = [
    "| load | kernel | notebook | runs | outputs lost | other failures | median ms per cell | mean ms per cell |",
    "| ---- | ------ | -------- | ---: | -----------: | -------------: | -----------------: | ---------------: |",
  ];
  for (const [load, measured] of Object.entries(results.loads)) {
    for (const kernel of ["course_kernel", "deno_kernel"] as const) {
      for (const r of measured!.nbclient[kernel]) {
        rows.push(
          `| ${LOAD_NAMES[load as "quiet"]} | ${
            KERNELS[kernel]
          } | ${r.notebook} | ${r.runs} | ${r.outputs_lost} | ${r.other_failures.length} | ${r.median_cell_ms} | ${r.mean_cell_ms} |`,
        );
      }
    }
  }
  return rows.join("\n");
}

/** The headline numbers, by kernel, over every load. */
export function summary(results: Results) {
  const all = Object.values(results.loads);
  const lab = (k: "course_kernel" | "deno_kernel") => totals(all.flatMap((m) => m!.jupyterlab[k]));
  const nb = (k: "course_kernel" | "deno_kernel") => {
    const runs = all.flatMap((m) => m!.nbclient[k]);
    return {
      runs: sum(runs.map((r) => r.runs)),
      cells: sum(runs.map((r) => r.runs * r.code_cells)),
      lost: sum(runs.map((r) => r.outputs_lost)),
    };
  };
  const probeMedian = (k: "course_kernel" | "deno_kernel") =>
    results.loads.quiet?.nbclient[k].find((r) => r.notebook.startsWith("probe"))?.median_cell_ms ??
      NaN;
  return {
    course: { lab: lab("course_kernel"), nbclient: nb("course_kernel") },
    deno: { lab: lab("deno_kernel"), nbclient: nb("deno_kernel") },
    costMs: Math.round((probeMedian("course_kernel") - probeMedian("deno_kernel")) * 10) / 10,
    courseCellMs: probeMedian("course_kernel"),
    denoCellMs: probeMedian("deno_kernel"),
  };
}

/** Median ms per probe cell through nbclient, per load, with each kernel. */
function costs(results: Results) {
  return Object.entries(results.loads).map(([load, m]) => {
    const probe = (k: "course_kernel" | "deno_kernel") =>
      m!.nbclient[k].find((r) => r.notebook.startsWith("probe"))?.median_cell_ms ?? NaN;
    return {
      load: LOAD_NAMES[load as "quiet"],
      course: probe("course_kernel"),
      deno: probe("deno_kernel"),
    };
  });
}

/** The doc's results section. */
export function resultsSection(results: Results): string {
  const s = summary(results);
  const m = results.machine;
  return `Measured ${
    results.date.slice(0, 10)
  } on a ${m.cpus}-core machine shared with other work (load average ${
    m.load_average_at_start.map((l) => l.toFixed(1)).join(", ")
  } at the start), Deno ${m.deno}, Chromium ${m.chromium} headless, JupyterLab from \`.venv\`. Loads: ${
    Object.entries(results.loads).map(([l, m]) =>
      `${LOAD_NAMES[l as "quiet"]} (load average ${
        m!.load_average_at_start[0].toFixed(1)
      } when it began)`
    ).join(", ")
  }; "quiet" means no burners of ours, not an idle machine.

**Course's kernel:** ${s.course.lab.runs} Restart and Run All runs (${s.course.lab.cells} cell executions): ${s.course.lab.empty} empty cells, ${s.course.lab.moved} moved outputs, ${s.course.lab.outOfWindow} outputs outside their cell's run on the WebSocket. Plain nbclient: ${s.course.nbclient.runs} notebook runs, ${s.course.nbclient.cells} cells, ${s.course.nbclient.lost} outputs lost.

**Deno's own kernel**, same harness: ${s.deno.lab.runs} Run All runs (${s.deno.lab.cells} cell executions): ${s.deno.lab.empty} empty cells, ${s.deno.lab.moved} moved outputs, ${s.deno.lab.outOfWindow} outputs outside their cell's run; ${s.deno.lab.runsWithProblems} of ${s.deno.lab.runs} runs had at least one. Plain nbclient: ${s.deno.nbclient.runs} runs, ${s.deno.nbclient.cells} cells, ${s.deno.nbclient.lost} outputs lost.

**Cost of the wrapper:** median time per probe cell through nbclient, request to idle: ${
    costs(results).map((c) =>
      `${c.load}, ${c.course} ms with the course's kernel and ${c.deno} ms with Deno's own (${
        c.course - c.deno > 0 ? "+" : ""
      }${Math.round((c.course - c.deno) * 10) / 10} ms)`
    ).join("; ")
  }. What the wrapper adds per cell is a barrier round trip to Deno, a hop through it each way, and the wait for outputs that Deno's kernel does not wait for; the spread between runs on this shared machine is of the same size.

### JupyterLab, Restart and Run All

${jupyterLabTable(results)}

### Plain nbclient (\`run_notebooks.py\`, no barrier)

${nbclientTable(results)}`;
}

/** The README's one sentence. */
export function readmeSentence(results: Results): string {
  const s = summary(results);
  return `Measured with \`bench/notebook_race/measure.ts\` (${results.machine.cpus} cores, ${
    results.date.slice(0, 10)
  }, ${
    Object.keys(results.loads).map((l) => LOAD_NAMES[l as "quiet"]).join(" and ")
  }): through the course's kernel, ${s.course.lab.runs} Restart and Run All runs in JupyterLab (${s.course.lab.cells} cell executions, every chapter and a 60-cell probe) showed ${s.course.lab.empty} empty cells and ${s.course.lab.moved} moved outputs, and plain nbclient lost ${s.course.nbclient.lost} outputs in ${s.course.nbclient.cells} cells; with Deno's own kernel the same check found ${s.deno.lab.empty} empty cells and ${s.deno.lab.moved} moved outputs in ${s.deno.lab.runs} runs, and nbclient lost ${s.deno.nbclient.lost} outputs in ${s.deno.nbclient.cells} cells. Median time per probe cell through nbclient, with and without the wrapper: ${
    costs(results).map((c) => `${c.course} and ${c.deno} ms (${c.load})`).join(", ")
  }.`;
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`, end = `<!-- ${name}:end -->`;
  const a = text.indexOf(start), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`Cannot write results: no ${start} ... ${end} markers`);
  return text.slice(0, a + start.length) + "\n" + body + "\n" + text.slice(b);
}

/** Write the results into the doc and the README, between their markers. */
export async function renderResults(results: Results, doc: string, readme: string) {
  await Deno.writeTextFile(
    doc,
    replaceBetween(await Deno.readTextFile(doc), "measured", resultsSection(results)),
  );
  await Deno.writeTextFile(
    readme,
    replaceBetween(await Deno.readTextFile(readme), "race-summary", readmeSentence(results)),
  );
}

if (import.meta.main) {
  // Re-render the prose from the recorded results.json (after editing the wording here).
  const here = new URL("./", import.meta.url).pathname;
  const results: Results = JSON.parse(await Deno.readTextFile(`${here}results.json`));
  await renderResults(
    results,
    `${here}../../docs/notebook-output-race.md`,
    `${here}../../README.md`,
  );
}
