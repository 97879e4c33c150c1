/**
 * Reading a server's processes from /proc, for the benchmarks: the topmost process of a
 * daemon found by its command line, a process tree's CPU time and resident memory, peak
 * memory, and how long a process's event loops waited for a core.
 *
 * @module
 */

const PAGE = 4096;
const TICKS = 100; // USER_HZ

/** The topmost process whose command line mentions `marker` (Dovecot: its supervisor). */
export async function processOf(marker: string): Promise<number> {
  const found = new Map<number, number>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (!cmdline.includes(marker)) continue;
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      found.set(Number(entry.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  for (const [pid, ppid] of found) if (!found.has(ppid)) return pid;
  throw new Error(`Cannot find the process of ${marker}`);
}

/**
 * A process and its descendants: CPU seconds (children that exited and were reaped
 * included, through their parents' cutime and cstime) and resident memory in bytes.
 */
export async function processTree(root: number): Promise<{ cpu: number; rss: number }> {
  const stats = new Map<number, { ppid: number; cpu: number; rss: number }>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const text = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      // From field 3 (state) on: ppid 4, utime 14, stime 15, cutime 16, cstime 17, rss 24.
      const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
      stats.set(Number(entry.name), { ppid: Number(f[1]), cpu, rss: Number(f[21]) * PAGE });
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid; p > 1; p = stats.get(p)?.ppid ?? 0) if (p === root) return true;
    return false;
  };
  let cpu = 0;
  let rss = 0;
  for (const [pid, s] of stats) {
    if (!inTree(pid)) continue;
    cpu += s.cpu;
    rss += s.rss;
  }
  return { cpu, rss };
}

/** The text of `/proc/<path>`, or "" when the process or thread has gone meanwhile. */
export async function procText(path: string): Promise<string> {
  return await Deno.readTextFile(`/proc/${path}`).catch(() => "");
}

/** Peak resident memory (VmHWM) of a process, in KiB; 0 when it has gone. */
export async function peakResidentKiB(pid: number | string): Promise<number> {
  return Number(/VmHWM:\s+(\d+)/.exec(await procText(`${pid}/status`))?.[1] ?? 0);
}

/** The largest peak resident memory (KiB) among the running processes named `comm`. */
export async function largestPeakKiB(comm: string): Promise<number> {
  let peak = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    if ((await procText(`${entry.name}/comm`)).trim() !== comm) continue;
    peak = Math.max(peak, await peakResidentKiB(entry.name));
  }
  return peak;
}

/**
 * Time each thread running an event loop of a Deno process (the main thread, and the
 * workers Deno names `worker-<n>`) has so far spent ready to run but waiting for a core,
 * in seconds, by thread id (`/proc/<pid>/task/<tid>/schedstat`, second field, ns).
 */
export async function eventLoopWaits(pid: number): Promise<Map<string, number>> {
  const waited = new Map<string, number>();
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    const comm = (await procText(`${pid}/task/${task.name}/comm`)).trim();
    if (task.name !== String(pid) && !comm.startsWith("worker-")) continue;
    const stat = await procText(`${pid}/task/${task.name}/schedstat`);
    if (stat) waited.set(task.name, Number(stat.split(" ")[1]) / 1e9);
  }
  return waited;
}

/** Seconds waited between two readings of {@linkcode eventLoopWaits}, summed over the threads in both. */
export function waitedBetween(before: Map<string, number>, after: Map<string, number>): number {
  let sum = 0;
  for (const [tid, seconds] of after) sum += seconds - (before.get(tid) ?? seconds);
  return sum;
}
