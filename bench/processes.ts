/**
 * Reading a server's processes from /proc, for the benchmarks: the topmost process of a
 * daemon found by its command line, and a process tree's CPU time and resident memory.
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
