/**
 * A third-party server (Dovecot, Postfix) run privately on 127.0.0.1, and stopped without
 * leaving a process behind.
 *
 * Real daemons fork helpers that can outlive their master. So the daemon runs under a
 * tiny Python supervisor that becomes a child subreaper (Linux `prctl(PR_SET_CHILD_SUBREAPER)`):
 * every descendant that loses its parent is re-parented to the supervisor, which reaps
 * them all before it exits. The daemon gets a session of its own, so a master that
 * signals "its process group" on shutdown (Postfix does) signals only its own children.
 *
 * @module
 */

import { connectLoopback, withTimeout } from "../net/mod.ts";

// Becomes a child subreaper (PR_SET_CHILD_SUBREAPER = 36), runs the daemon in a new
// session, forwards SIGTERM, then reaps every descendant before exiting.
const SUPERVISOR = `
import ctypes, os, signal, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
child = subprocess.Popen(sys.argv[1:], start_new_session=True)
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
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
    await withTimeout(
      waitForPort(options.port, process.status),
      options.timeoutMs ?? 10_000,
      `${options.name} to listen on ${options.port}`,
    );
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

/** Connect until the port answers; fail if the process exits first. */
async function waitForPort(port: number, exited: Promise<Deno.CommandStatus>): Promise<void> {
  let done = false;
  exited.then(() => done = true);
  while (!done) {
    try {
      const conn = await connectLoopback(port, { timeoutMs: 500 });
      conn.close();
      return;
    } catch {
      // Not listening yet: daemons take a few ms to bind and announce it nowhere we can
      // wait on. Retry on the process's exit or a short timer, whichever comes first.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }
  throw new Error("it exited before listening");
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
