/**
 * What one learner costs a hub: the memory and CPU of the kernel's process tree while every
 * chapter runs top to bottom, and the memory of the learner's own Jupyter server.
 *
 * ```sh
 * deno run -A bench/class_capacity/measure.ts [--rounds 3]
 * deno run -A bench/class_capacity/measure.ts --render-only   # docs again from results.json
 * ```
 *
 * Each chapter runs in a fresh kernel through the course's notebook runner
 * (tools/notebooks/runner.ts), `--rounds` times. Its environment carries a marker, which
 * the kernel and everything it starts inherit; every 50 ms the sampler sums, over the
 * marked processes except the runner itself, resident memory (RSS), proportional memory
 * (PSS, from smaps_rollup) and CPU time (utime + stime + the children's it has waited for,
 * so servers and programs that exit between two samples are counted). Results go to
 * bench/class_capacity/results.json and, rendered by report.ts, into docs/teach-a-class.md,
 * README.md and deploy/jupyterhub/config.yaml.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { processesWith, waitForPort } from "../../lib/daemon/mod.ts";
import { withTimeout } from "../../lib/net/mod.ts";
import { notebookPaths } from "../../tools/notebooks/notebooks.ts";
import { runNotebooks } from "../../tools/notebooks/runner.ts";
import { ensureVenv, VENV } from "../../tools/venv.ts";
import {
  type CapacityResults,
  type ChapterRun,
  GENERATED,
  generatedPart,
  learnerCost,
  replaceBetween,
} from "./report.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = new URL("./", import.meta.url).pathname;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Memory and CPU of one process, from /proc. */
interface Sample {
  rss: number;
  pss: number;
  cpuTicks: number;
}

async function sampleProcess(pid: number): Promise<Sample | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    const rollup = await Deno.readTextFile(`/proc/${pid}/smaps_rollup`).catch(() => "");
    const kib = (name: string) =>
      Number(rollup.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) * 1024;
    return { rss: kib("Rss"), pss: kib("Pss"), cpuTicks: utime + stime + cutime + cstime };
  } catch {
    return null; // exited between listing and reading
  }
}

async function commandLine(pid: number): Promise<string> {
  return (await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "")).replaceAll("\0", " ");
}

/** Samples the processes carrying `marker` (but not `exclude`d ones) until stopped. */
function startSampler(marker: string, exclude: (cmd: string) => boolean) {
  let peakRss = 0, peakPss = 0, peakTicks = 0, maxProcesses = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      let rss = 0, pss = 0, ticks = 0, count = 0;
      for (const pid of await processesWith(marker)) {
        if (exclude(await commandLine(pid))) continue;
        const sample = await sampleProcess(pid);
        if (!sample) continue;
        rss += sample.rss;
        pss += sample.pss;
        ticks += sample.cpuTicks;
        count++;
      }
      peakRss = Math.max(peakRss, rss);
      peakPss = Math.max(peakPss, pss);
      peakTicks = Math.max(peakTicks, ticks);
      maxProcesses = Math.max(maxProcesses, count);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    running = false;
    await done;
    return { peakRss, peakPss, cpuSeconds: peakTicks / TICKS_PER_SECOND, maxProcesses };
  };
}

/** Run one chapter in a fresh kernel, sampling its process tree. */
async function measureChapter(path: string): Promise<ChapterRun> {
  const marker = `CLASS_CAPACITY_RUN=${crypto.randomUUID()}`;
  const stop = startSampler(marker, (cmd) => cmd.includes("run_notebooks.py"));
  const started = performance.now();
  const [report] = await runNotebooks([path], {
    env: { [marker.split("=")[0]]: marker.split("=")[1] },
  });
  const seconds = (performance.now() - started) / 1000;
  const sampled = await stop();
  if (!report.ok) throw new Error(`Cannot measure ${path}: ${report.problems.join("; ")}`);
  const chapter = path.split("/").at(-1)!.replace(/\.ipynb$/, "");
  return { chapter, seconds: Math.round(seconds * 100) / 100, ...sampled };
}

/** The learner's Jupyter server on its own: started, JupyterLab's page and APIs fetched. */
async function measureServer(): Promise<{ peakRss: number; peakPss: number }> {
  const temp = await Deno.makeTempDir({ prefix: "class_capacity_" });
  const marker = `CLASS_CAPACITY_SERVER=${crypto.randomUUID()}`;
  const token = crypto.randomUUID().replaceAll("-", "");
  const child = new Deno.Command(`${VENV}/bin/jupyter`, {
    args: [
      "lab",
      "--ip=127.0.0.1",
      "--port=0",
      "--no-browser",
      `--ServerApp.root_dir=${ROOT}`,
      `--IdentityProvider.token=${token}`,
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    env: {
      JUPYTER_PREFER_ENV_PATH: "1",
      JUPYTER_RUNTIME_DIR: `${temp}/runtime`,
      JUPYTER_CONFIG_DIR: `${temp}/config`,
      [marker.split("=")[0]]: marker.split("=")[1],
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = Promise.withResolvers<string>();
  let log = "";
  const pump = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      log += text;
      const found = log.match(/http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=/);
      if (found) url.resolve(`http://127.0.0.1:${found[1]}`);
    }
  })();
  child.status.then((s) => url.reject(new Error(`JupyterLab exited with ${s.code}`)));
  try {
    const base = await withTimeout(url.promise, 90_000, "JupyterLab's URL");
    // JupyterLab prints its URL before it listens (it binds port 0 once to learn a free port,
    // lets go, and binds again later): wait until it accepts connections.
    await waitForPort(Number(new URL(base).port), { exited: child.status, timeoutMs: 30_000 });
    const stop = startSampler(marker, () => false);
    const headers = { Authorization: `token ${token}` };
    for (
      const path of ["/lab", "/api/kernelspecs", "/api/contents/notebooks", "/lab/api/settings"]
    ) {
      const response = await fetch(`${base}${path}`, { headers }).catch((error) => {
        throw new Error(`Cannot open ${path}: ${error.message}\n${log.slice(-2000)}`);
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`Cannot open ${path}: ${response.status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { peakRss, peakPss } = await stop();
    return { peakRss, peakPss };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await pump;
    await Deno.remove(temp, { recursive: true });
  }
}

async function output(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr)).trim();
}

const load = async () => Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);

/** Measure, `rounds` times per chapter. */
async function measure(rounds: number): Promise<CapacityResults> {
  await ensureVenv({ quiet: true });
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const osRelease = await Deno.readTextFile("/etc/os-release");
  const loadBefore = await load();
  const server = await measureServer();
  const runs: ChapterRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const path of notebookPaths([])) {
      const run = await measureChapter(path);
      console.error(
        `round ${round} ${run.chapter}: ${
          (run.peakRss / 2 ** 20).toFixed(0)
        } MiB, ${run.cpuSeconds} s CPU`,
      );
      runs.push(run);
    }
  }
  const results: CapacityResults = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "unknown CPU",
      cores: navigator.hardwareConcurrency,
      memoryBytes:
        Number((await Deno.readTextFile("/proc/meminfo")).match(/MemTotal:\s+(\d+)/)![1]) * 1024,
      os: osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? Deno.build.os,
      kernel: Deno.osRelease(),
      deno: Deno.version.deno,
      python: (await output(`${VENV}/bin/python`, ["--version"])).replace("Python ", ""),
      jupyterlab: await output(`${VENV}/bin/jupyter`, ["lab", "--version"]),
      loadBefore,
      loadAfter: await load(),
    },
    server,
    rounds,
    runs,
  };
  return results;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { rounds: { type: "string", default: "3" }, "render-only": { type: "boolean" } },
  });
  // --render-only: write the docs again from the recorded results (after editing report.ts).
  const results: CapacityResults = values["render-only"]
    ? JSON.parse(await Deno.readTextFile(`${HERE}results.json`))
    : await measure(Number(values.rounds));
  await Deno.writeTextFile(`${HERE}results.json`, JSON.stringify(results, null, 2) + "\n");
  for (const { file, key, render } of GENERATED) {
    const path = `${ROOT}/${file}`;
    const body = await generatedPart(file, render, results);
    await Deno.writeTextFile(path, replaceBetween(await Deno.readTextFile(path), key, body));
  }
  const cost = learnerCost(results);
  console.log(
    `per learner: ${(cost.oneChapterRss / 2 ** 20).toFixed(0)} MiB on one chapter, ` +
      `${cost.courseCpuSeconds.toFixed(2)} s CPU for the course; wrote results.json and ${
        GENERATED.map((g) => g.file).join(", ")
      }`,
  );
}
