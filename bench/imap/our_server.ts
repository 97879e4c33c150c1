/**
 * Our IMAP server (bench/imap/serve.ts) started in a process of its own for a benchmark, so
 * that its CPU time and memory are its own.
 *
 * @module
 */

/** What {@linkcode startOurServer} starts. */
export interface OurServerOptions {
  root: string;
  user: string;
  password: string;
  /** serve.ts's cap on connections (its default otherwise). */
  maxConnections?: number;
  /** Given to `deno run --v8-flags=` when there are any. */
  v8Flags?: string[];
  /** The process's stderr: serve.ts writes its memory reports there. Default "inherit". */
  stderr?: "inherit" | "piped" | "null";
}

/** A started serve.ts: its process, its port, and how to end it. */
export interface OurServer {
  process: Deno.ChildProcess;
  port: number;
  /** SIGTERM, wait for the exit, release its output. */
  stop(): Promise<void>;
}

/** Start serve.ts; resolves once it prints its port (the last thing it does on start). */
export async function startOurServer(options: OurServerOptions): Promise<OurServer> {
  const flags = options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : [];
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      new URL("./serve.ts", import.meta.url).pathname,
      options.root,
      options.user,
      options.password,
      ...(options.maxConnections === undefined ? [] : [String(options.maxConnections)]),
    ],
    stdout: "piped",
    stderr: options.stderr ?? "inherit",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const stop = async () => {
    process.kill("SIGTERM");
    await process.status;
    await process.stdout.cancel().catch(() => {});
  };
  return { process, port: Number(value!.trim()), stop };
}
