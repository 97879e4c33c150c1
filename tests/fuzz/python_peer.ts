/**
 * Python's email package in one long-lived subprocess (python_mail_peer.py): a fuzz
 * target asks it about thousands of inputs over stdin/stdout, one JSON line each, so a
 * differential run costs one spawn, not one per case.
 *
 * @module
 */
import { withTimeout } from "../../lib/net/mod.ts";

const SCRIPT = new URL("./python_mail_peer.py", import.meta.url).pathname;

/** What the peer answers: its result, or the error Python raised. */
export type PeerAnswer = Record<string, unknown> & { error?: string };

/** A running python_mail_peer.py; `ask` one request at a time, `close` when done. */
export class PythonMailPeer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: ReadableStreamDefaultReader<string>;
  #pending = "";

  constructor() {
    this.#child = new Deno.Command("python3", {
      args: ["-X", "utf8", SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Send one request and wait (at most 10 s) for its answer line. */
  async ask(request: Record<string, unknown>): Promise<PeerAnswer> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    return await withTimeout(this.#readLine(), 10_000, "Python's email package to answer");
  }

  async #readLine(): Promise<PeerAnswer> {
    while (!this.#pending.includes("\n")) {
      const { value, done } = await this.#lines.read();
      if (done) throw new Error("Cannot ask Python's email package: the peer exited");
      this.#pending += value;
    }
    const at = this.#pending.indexOf("\n");
    const line = this.#pending.slice(0, at);
    this.#pending = this.#pending.slice(at + 1);
    return JSON.parse(line);
  }

  /** End the peer (closing its stdin) and wait for it. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#lines.cancel().catch(() => {});
    await this.#child.status;
  }
}
