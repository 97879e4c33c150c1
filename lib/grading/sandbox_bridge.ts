/**
 * The grader's thread that owns the sandboxed process (a Web Worker of the grader).
 *
 * Graders call the learner's functions synchronously (`assert.equal(impl.f(x), y)`),
 * but a child process can only be read asynchronously. So the grader's thread posts a
 * request here and blocks on a shared buffer (`Atomics.wait`, with the check's deadline);
 * this thread writes the request to the child, reads its answer, copies it into the
 * buffer and wakes the grader. Answers that come later (an async export settling, the
 * child's console output, its exit) are posted as messages.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { FrameReader } from "./wire.ts";
import { serialize } from "node:v8";

/** Header slots of the shared buffer. */
export const SLOT = { state: 0, id: 1, length: 2 } as const;
/** Header size in bytes; the answer's bytes follow. */
export const HEADER_BYTES = 12;
/** Values of the state slot. */
export const STATE = { waiting: 0, answered: 1, gone: 2 } as const;

interface Start {
  type: "start";
  sab: SharedArrayBuffer;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  outputLimit: number;
}

let child: Deno.ChildProcess | undefined;
let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
let header: Int32Array;
let sab: SharedArrayBuffer;
const syncWaiting = new Set<number>();
let exited: Promise<void> = Promise.resolve();
let gone = false;
let stopping = false;

function wake(state: number, id: number, bytes?: Uint8Array): void {
  if (bytes) {
    const need = HEADER_BYTES + bytes.length;
    if (sab.byteLength < need) sab.grow(need);
    new Uint8Array(sab, HEADER_BYTES, bytes.length).set(bytes);
    Atomics.store(header, SLOT.length, bytes.length);
  }
  Atomics.store(header, SLOT.id, id);
  Atomics.store(header, SLOT.state, state);
  Atomics.notify(header, SLOT.state);
}

async function pumpFrames(stream: ReadableStream<Uint8Array>): Promise<void> {
  const frames = new FrameReader(stream);
  while (true) {
    let message: { id?: number; kind: string } | null;
    try {
      message = await frames.next() as typeof message;
    } catch (error) {
      // Bytes that are not frames: the module wrote to the channel itself. Nothing it
      // says after that can be trusted to be an answer, so it is stopped.
      self.postMessage({ type: "garbled", message: (error as Error).message });
      try {
        child?.kill("SIGKILL");
      } catch {
        // already exited
      }
      await frames.cancel();
      return;
    }
    if (message === null) return;
    if (message.id !== undefined && syncWaiting.has(message.id) && message.kind !== "settled") {
      syncWaiting.delete(message.id);
      wake(STATE.answered, message.id, serialize(message));
    } else {
      self.postMessage({ type: "frame", message });
    }
  }
}

async function pumpOutput(stream: ReadableStream<Uint8Array>, limit: number): Promise<void> {
  const decoder = new TextDecoder();
  let kept = 0, dropped = 0;
  for await (const chunk of stream) {
    if (kept >= limit) {
      dropped += chunk.length;
      continue;
    }
    const part = chunk.subarray(0, limit - kept);
    kept += part.length;
    dropped += chunk.length - part.length;
    self.postMessage({ type: "output", text: decoder.decode(part, { stream: true }) });
  }
  if (dropped) self.postMessage({ type: "output-dropped", bytes: dropped });
}

self.onmessage = async (event: MessageEvent) => {
  const data = event.data;
  if (data.type === "start") {
    const start = data as Start;
    sab = start.sab;
    header = new Int32Array(sab, 0, 3);
    child = new Deno.Command(start.command, {
      args: start.args,
      cwd: start.cwd,
      env: start.env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    writer = child.stdin.getWriter();
    const frames = pumpFrames(child.stdout);
    const output = pumpOutput(child.stderr, start.outputLimit);
    self.postMessage({ type: "started", pid: child.pid });
    exited = (async () => {
      const status = await child!.status;
      await Promise.allSettled([frames, output]);
      gone = true;
      for (const id of syncWaiting) wake(STATE.gone, id);
      syncWaiting.clear();
      self.postMessage({
        type: "exit",
        code: status.code,
        signal: status.signal,
        stopped: stopping,
      });
    })();
  } else if (data.type === "request") {
    if (gone) {
      if (data.sync) wake(STATE.gone, data.id);
      return;
    }
    if (data.sync) syncWaiting.add(data.id);
    try {
      await writer!.write(data.frame);
    } catch {
      // The child is gone; its exit wakes the waiter.
    }
  } else if (data.type === "close") {
    stopping = true;
    try {
      child?.kill("SIGKILL");
    } catch {
      // already exited
    }
    await writer?.close().catch(() => {});
    await exited;
    self.postMessage({ type: "closed" });
  }
};
