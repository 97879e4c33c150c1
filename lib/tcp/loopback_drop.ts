/**
 * Drop chosen TCP segments on the loopback interface, so that loss and retransmission can
 * be watched on real packets. Linux only, as root (or with CAP_NET_ADMIN).
 *
 * Two ways, tried in this order:
 *
 * - **netem**, the kernel's network emulator queueing discipline. This installs on `lo`:
 *
 *       root c0de: htb, default class c0de:1     everything else passes untouched
 *         class c0de:2 -> netem loss 100%        what the filter sends here is lost
 *         filter: TCP to <port> -> c0de:2        only while `drop.on()`
 *
 *   netem discards the segment and tells the sender it was sent, as a router that drops
 *   it would. On `lo`, tcpdump's tap sits after the queueing discipline: the lost copy
 *   never appears in a capture, its retransmission does.
 * - **iptables**, where the kernel has no netem (a module many small kernels leave out):
 *   a rule in the INPUT chain drops segments to the port as they arrive. The sender does
 *   not know either. Here the capture shows the lost copy too (it was captured on its way
 *   out, then dropped on its way in).
 *
 * A FIFO of length 0 would drop as well, but the kernel tells TCP about a drop in its own
 * queue and TCP just sends again later: that is not loss on the network.
 *
 * Care for the machine: one experiment at a time (an exclusive lock in the temp folder),
 * `lo` is left alone when it already carries someone else's queueing discipline, and the
 * tree or rule is removed in a `finally` (and, if a crash left one, by the next run).
 *
 * @module
 */

import { tmpdir } from "node:os";

/** The root handle of our tree: recognisable, so a tree left by a crash can be removed. */
const HANDLE = "c0de";
const lockPath = () => `${tmpdir()}/email-course-loopback-drop.lock`;

/** What drops the segments. */
export type Dropper = "netem" | "iptables";

/** Result of running a tool. */
interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function run(tool: string, args: string[]): Promise<RunResult> {
  try {
    const out = await new Deno.Command(tool, { args, stdout: "piped", stderr: "piped" }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b).trim();
    return { ok: out.success, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  } catch (error) {
    return { ok: false, stdout: "", stderr: `cannot run ${tool}: ${(error as Error).message}` };
  }
}

const tc = (args: string[]) => run("tc", args);
const iptables = (args: string[]) => run("iptables", ["-w", ...args]);

/** The root queueing discipline of `lo`, as `tc qdisc show` prints it. */
export async function loopbackQdisc(): Promise<string> {
  const shown = await tc(["qdisc", "show", "dev", "lo", "root"]);
  return shown.ok ? shown.stdout : `unknown (${shown.stderr})`;
}

/** Our iptables rules in the INPUT chain (there should be none between experiments). */
export async function courseDropRules(): Promise<string[]> {
  const shown = await iptables(["-S", "INPUT"]);
  return shown.ok ? shown.stdout.split("\n").filter((l) => l.includes(RULE_COMMENT)) : [];
}

/** Switch dropping on or off for TCP segments to the port given to {@linkcode withLoopbackDrop}. */
export interface DropSwitch {
  /** What drops the segments. */
  readonly dropper: Dropper;
  /** From now on, every segment sent to the port is lost. */
  on(): Promise<void>;
  /** From now on, segments to the port pass again. */
  off(): Promise<void>;
}

/** Why dropping is not possible here, as a sentence for the learner. */
export class DropUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DropUnavailable";
  }
}

const RULE_COMMENT = "email-course-loss";

async function removeLeftovers(): Promise<void> {
  if ((await loopbackQdisc()).includes(`${HANDLE}:`)) {
    await tc(["qdisc", "del", "dev", "lo", "root"]);
  }
  for (const rule of await courseDropRules()) {
    await iptables([
      "-D",
      ...rule.replace(/^-A /, "").split(" ").map((w) => w.replace(/^"|"$/g, "")),
    ]);
  }
}

/** An htb class under the course's root qdisc on lo, fast enough never to shape. */
function htbClass(minor: number): string[] {
  return `class add dev lo parent ${HANDLE}: classid ${HANDLE}:${minor} htb rate 100gbit`.split(
    " ",
  );
}

/** Install the netem tree with its filter off; false when the kernel has no netem. */
async function installNetem(): Promise<boolean> {
  const before = await loopbackQdisc();
  if (!/^qdisc noqueue\b/.test(before)) return false; // someone else's: leave lo alone
  const steps = [
    ["qdisc", "add", "dev", "lo", "root", "handle", `${HANDLE}:`, "htb", "default", "1"],
    htbClass(1),
    htbClass(2),
    [
      "qdisc",
      "add",
      "dev",
      "lo",
      "parent",
      `${HANDLE}:2`,
      "handle",
      "c0df:",
      "netem",
      "loss",
      "100%",
    ],
  ];
  for (const step of steps) {
    if (!(await tc(step)).ok) {
      await removeLeftovers();
      return false;
    }
  }
  return true;
}

function netemSwitch(port: number): DropSwitch {
  let filtered = false;
  return {
    dropper: "netem",
    async on() {
      if (filtered) return;
      const added = await tc([
        ...["filter", "add", "dev", "lo", "parent", `${HANDLE}:`, "protocol", "ip", "prio", "1"],
        ...["u32", "match", "ip", "protocol", "6", "0xff", "match", "ip", "dport", String(port)],
        ...["0xffff", "flowid", `${HANDLE}:2`],
      ]);
      if (!added.ok) throw new Error(`Cannot drop segments: tc filter add: ${added.stderr}`);
      filtered = true;
    },
    async off() {
      if (!filtered) return;
      const removed = await tc([
        ...["filter", "del", "dev", "lo", "parent", `${HANDLE}:`, "protocol", "ip", "prio", "1"],
      ]);
      if (!removed.ok) throw new Error(`Cannot stop dropping: tc filter del: ${removed.stderr}`);
      filtered = false;
    },
  };
}

function iptablesSwitch(port: number): DropSwitch {
  const rule = [
    ...["INPUT", "-i", "lo", "-p", "tcp", "--dport", String(port)],
    ...["-m", "comment", "--comment", RULE_COMMENT, "-j", "DROP"],
  ];
  let inserted = false;
  return {
    dropper: "iptables",
    async on() {
      if (inserted) return;
      const added = await iptables(["-I", ...rule]);
      if (!added.ok) throw new Error(`Cannot drop segments: iptables -I: ${added.stderr}`);
      inserted = true;
    },
    async off() {
      if (!inserted) return;
      const removed = await iptables(["-D", ...rule]);
      if (!removed.ok) throw new Error(`Cannot stop dropping: iptables -D: ${removed.stderr}`);
      inserted = false;
    },
  };
}

/**
 * Run `during` with a switch that loses TCP segments sent to `port` on `lo` (netem where
 * the kernel has it, else iptables). Everything installed is removed afterwards, also when
 * `during` throws.
 *
 * @throws {DropUnavailable} this machine does not allow it (not Linux, not root, neither
 *   netem nor iptables, another loss experiment running), saying why.
 *
 * @example
 * ```ts ignore
 * import { withLoopbackDrop } from "./loopback_drop.ts";
 * await withLoopbackDrop(server.port, async (drop) => {
 *   await drop.on();
 *   await conn.write(lost); // leaves, and is lost before the loopback delivers it
 *   await drop.off();
 * });
 * ```
 */
export async function withLoopbackDrop<T>(
  port: number,
  during: (drop: DropSwitch) => Promise<T>,
): Promise<T> {
  if (Deno.build.os !== "linux") throw new DropUnavailable("netem and iptables are Linux's");
  if (Deno.uid() !== 0) {
    throw new DropUnavailable(
      "changing how lo treats packets needs root (run as root to see it live)",
    );
  }
  let lock: Deno.FsFile;
  try {
    lock = await Deno.open(lockPath(), { read: true, write: true, create: true });
  } catch (error) {
    throw new DropUnavailable(`cannot open ${lockPath()}: ${(error as Error).message}`);
  }
  try {
    if (!(await lock.tryLock(true))) {
      throw new DropUnavailable("another loss experiment is running on this machine");
    }
    await removeLeftovers(); // a crash's leftovers (we hold the lock: they are ours)
    let drop: DropSwitch;
    if (await installNetem()) {
      drop = netemSwitch(port);
    } else if ((await iptables(["-S", "INPUT"])).ok) {
      drop = iptablesSwitch(port);
    } else {
      throw new DropUnavailable(
        "this kernel has no netem (sch_netem) and iptables is not installed (apt-get install iptables)",
      );
    }
    try {
      return await during(drop);
    } finally {
      await drop.off().catch(() => {});
      await removeLeftovers();
    }
  } finally {
    lock.close(); // releases the lock
  }
}
