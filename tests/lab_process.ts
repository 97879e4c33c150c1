/**
 * `tools/lab.ts` in a process of its own, for tests that watch the lab from outside: its
 * memory (`/proc/<pid>/status`), or what survives a `kill -9`.
 *
 * @module
 */
import { LAB_V8_FLAGS } from "../lib/lab/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";

/** A running lab process. `await using` kills it (SIGKILL if still there) and waits. */
export interface LabProcess extends AsyncDisposable {
  readonly pid: number;
  readonly folder: string;
  /** Port of a service by its name in the lab's listing: "SMTP", "POP3", "IMAP". */
  port(service: string): number;
  /** What the lab printed so far. */
  readonly printed: string;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakMiB(): Promise<number>;
  /** Send a signal and wait for the process to end. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Start the lab on free ports over `folder` with the given `name:password` users, and
 * resolve once it printed that it is ready.
 */
export async function startLabProcess(folder: string, users: string[]): Promise<LabProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--v8-flags=${LAB_V8_FLAGS}`, // as deno task lab runs it
      new URL("../tools/lab.ts", import.meta.url).pathname,
      ...["--folder", folder, "--smtp-port", "0", "--pop3-port", "0", "--imap-port", "0"],
      ...users.flatMap((user) => ["--user", user]),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  const ready = Promise.withResolvers<void>();
  const drain = (async () => {
    while (true) {
      const { value, done } = await lines.read();
      if (done) break;
      printed += value;
      if (printed.includes("Lab ready")) ready.resolve();
    }
    ready.reject(new Error(`The lab exited before it was ready: ${printed}`));
  })();
  ready.promise.catch(() => {}); // rejected after a normal stop too; awaited below only
  let status: Deno.CommandStatus | undefined;
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    if (!status) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      status = await child.status;
      await drain;
    }
    return status;
  };
  try {
    await withTimeout(ready.promise, 30_000, "the lab to print that it is ready");
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return {
    pid: child.pid,
    folder,
    get printed() {
      return printed;
    },
    port(service) {
      const port = Number(
        new RegExp(`${service}\\s+listening on 127\\.0\\.0\\.1:(\\d+)`).exec(printed)?.[1],
      );
      if (!(port > 0)) throw new Error(`No ${service} port in: ${printed}`);
      return port;
    },
    async peakMiB() {
      const text = await Deno.readTextFile(`/proc/${child.pid}/status`);
      return Number(/VmHWM:\s+(\d+)/.exec(text)![1]) / 1024;
    },
    stop,
    [Symbol.asyncDispose]: async () => void await stop("SIGKILL"),
  };
}
