/**
 * A third-party server (Dovecot, Postfix) run privately on 127.0.0.1, and stopped without
 * leaving a process behind.
 *
 * Real daemons fork helpers that can outlive their master. So the daemon runs under a
 * tiny Python supervisor that becomes a child subreaper (Linux `prctl(PR_SET_CHILD_SUBREAPER)`):
 * every descendant that loses its parent is re-parented to the supervisor, which reaps
 * them all before it exits. The daemon gets a session and process group of its own: a
 * master that signals "its process group" on shutdown (Postfix does) signals only its own
 * children, and once the master is gone the supervisor signals that group too, so no
 * helper outlives it.
 *
 * @module
 */

import { connectLoopback } from "../net/mod.ts";

// Becomes a child subreaper (PR_SET_CHILD_SUBREAPER = 36), runs the daemon in a new
// session, forwards SIGTERM; once the daemon has exited, signals its process group, then
// reaps every descendant before exiting.
const SUPERVISOR = `
import ctypes, os, signal, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
child = subprocess.Popen(sys.argv[1:], start_new_session=True)
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
while True:
    try:
        pid, _ = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if pid == child.pid:
        try:
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
`;

/** What {@linkcode startDaemon} runs and how it knows the daemon is up. */
export interface DaemonOptions {
  /** Shown in errors, e.g. "Dovecot". */
  name: string;
  /** The daemon's command line; it must stay in the foreground. */
  argv: string[];
  /** Extra environment for the daemon. */
  env?: Record<string, string>;
  /** The loopback port the daemon will listen on: it is up once this answers. */
  port: number;
  /** The daemon's log, quoted when it fails to start. */
  readLog: () => Promise<string>;
  /** Deadline for starting, in ms. Default 10000. */
  timeoutMs?: number;
}

/** A running daemon. */
export interface Daemon {
  /** Stop it and every process it started; resolves once all are gone. */
  stop(): Promise<void>;
}

/** Ask the OS for a free loopback port (a small race we accept in tests and benchmarks). */
export function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return (listener.addr as Deno.NetAddr).port;
}

/**
 * Start a daemon under the supervisor and wait until its port answers.
 *
 * @throws {Error} "Cannot start NAME: ..." with its stderr and log, when it exits or
 *   misses the deadline; nothing is left running then.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const process = new Deno.Command("python3", {
    args: ["-c", SUPERVISOR, ...options.argv],
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(process.stderr).text();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        process.kill("SIGTERM");
      } catch {
        // already gone
      }
      await process.status;
      await stderr;
    })();
    return stopped;
  };
  try {
    await waitForPort(options.port, { exited: process.status, timeoutMs: options.timeoutMs });
  } catch (error) {
    await stop();
    const log = await options.readLog().catch(() => "");
    throw new Error(
      `Cannot start ${options.name}: ${(error as Error).message}\n${await stderr}\n${log}`
        .trim(),
    );
  }
  return { stop };
}

/** Options for {@linkcode waitForPort}. */
export interface WaitForPortOptions {
  /** Settles when the program that should listen has exited: stop waiting then. */
  exited?: Promise<unknown>;
  /** Give up after this long, in ms. Default 10000. */
  timeoutMs?: number;
}

/**
 * Connect until `port` on 127.0.0.1 answers: a third-party program announces nowhere we
 * can wait on that it is listening, so we retry, with a deadline.
 *
 * @throws {Error} the program exited first, or nothing listened before the deadline.
 */
export async function waitForPort(port: number, options: WaitForPortOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  options.exited?.then(() => exited = true, () => exited = true);
  while (true) {
    try {
      (await connectLoopback(port, { timeoutMs: 500 })).close();
      return;
    } catch {
      // Not listening yet: retry on the program's exit or a short timer, whichever is first.
    }
    if (exited) throw new Error(`it exited before listening on ${port}`);
    if (Date.now() > deadline) {
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    }
    await Promise.race([options.exited, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
}

/**
 * The pids of processes whose command line or environment contains `marker`: how a test
 * or benchmark finds every process a daemon started (children inherit the environment
 * given to {@linkcode startDaemon}; Postfix passes MAIL_CONFIG on to its helpers).
 */
export async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    const read = (file: string) => Deno.readTextFile(`/proc/${entry.name}/${file}`).catch(() => "");
    if ((await read("cmdline")).includes(marker) || (await read("environ")).includes(marker)) {
      found.push(Number(entry.name));
    }
  }
  return found;
}

/** Hand a folder tree to `uid` (daemons will not deliver or read mail as root). */
export async function chownTree(path: string, uid: number): Promise<void> {
  await Deno.chown(path, uid, uid);
  for await (const entry of Deno.readDir(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) await chownTree(child, uid);
    else await Deno.chown(child, uid, uid);
  }
}
