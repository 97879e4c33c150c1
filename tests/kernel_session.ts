/**
 * One real kernel (the course's kernelspec from `.venv`), driven cell by cell from a test:
 * run code, see its text outputs, look at the Deno process's listening ports from outside,
 * shut it down as a frontend does. The Python side is tests/kernel_session.py.
 *
 * @module
 */

import { ensureVenv, VENV_PYTHON } from "../tools/venv.ts";
import { withTimeout } from "../lib/net/timeout.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** What a cell gave. */
export interface CellResult {
  status: "ok" | "error";
  /** text/plain of each result and display, and stream text, in order. */
  text: string[];
  error: string;
}

/** A running kernel. Disposing it shuts the kernel down if `shutdown()` was not called. */
export interface KernelSession extends AsyncDisposable {
  run(code: string): Promise<CellResult>;
  /** TCP ports process `pid` listens on (Linux /proc). */
  listening(pid: number): Promise<number[]>;
  /** Shut the kernel down the way a frontend does (a shutdown request). */
  shutdown(): Promise<void>;
}

/** Start a kernel whose working folder is `cwd` (default: notebooks/), with `env` added. */
export async function startKernel(
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<KernelSession> {
  await ensureVenv({ quiet: true });
  const child = new Deno.Command(VENV_PYTHON, {
    args: [`${ROOT}/tests/kernel_session.py`, options.cwd ?? `${ROOT}/notebooks`],
    env: { JUPYTER_PREFER_ENV_PATH: "1", ...options.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let buffered = "";
  async function answer(): Promise<Record<string, unknown>> {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("Cannot drive the kernel: its driver exited");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return JSON.parse(line);
  }
  async function ask(request: unknown, what: string): Promise<Record<string, unknown>> {
    await writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    return await withTimeout(answer(), 150_000, what);
  }
  let ended = false;
  async function end(): Promise<void> {
    if (ended) return;
    ended = true;
    await writer.close().catch(() => {});
    await withTimeout(child.status, 30_000, "the kernel driver to exit");
    await lines.cancel().catch(() => {});
  }
  await withTimeout(answer(), 90_000, "the kernel to start");
  return {
    run: async (code) => (await ask({ run: code }, "a cell to run")) as unknown as CellResult,
    listening: async (pid) => (await ask({ listening: pid }, "the port list")).ports as number[],
    async shutdown() {
      await ask({ shutdown: true }, "the kernel to shut down");
      await end();
    },
    [Symbol.asyncDispose]: end,
  };
}
