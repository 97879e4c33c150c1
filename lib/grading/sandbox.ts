/**
 * Run a learner's module in a process of its own, with least privilege, and call it from
 * the grader as if it were imported.
 *
 * Why: a module graded inside the grading process could rewrite its results file, patch
 * the assertions, or end the run. Here the learner's code runs in a separate Deno process
 * (`sandbox_child.ts`) that may read only the submission and the course library and
 * connect only to 127.0.0.1; it cannot write files, start programs, read the environment
 * or load native code. The grader's checks, the servers they start and any third-party
 * program they use as a judge stay in the trusted grading process, which alone decides
 * and writes scores. What crosses the pipe is only what the learner's functions return
 * or throw (see `wire.ts`).
 *
 * Calls are synchronous when the learner's function is: the grader's thread waits on a
 * shared buffer that a bridge thread (`sandbox_bridge.ts`) fills, at most until the
 * running check's deadline. An endless loop therefore costs one check: the process is
 * stopped and the next check gets a fresh one.
 *
 * Every access the learner's process attempts is logged by Deno itself
 * (`DENO_AUDIT_PERMISSIONS`), so the grader can say what was refused even when the
 * learner's code swallowed the error.
 *
 * @module
 */

import { deserialize } from "node:v8";
import { HEADER_BYTES, SLOT, STATE } from "./sandbox_bridge.ts";
import {
  errorFrom,
  type ErrorMark,
  frame,
  isPlainData,
  isRefMark,
  NOT_ALLOWED,
  REF,
  type RefMark,
  symbolName,
} from "./wire.ts";

import { FROM_SUBMISSION } from "./feedback.ts";

export { NOT_ALLOWED };

/** An error the learner's code threw, marked with the call that threw it. */
function thrownBy(mark: ErrorMark, what: string): Error {
  const error = errorFrom(mark);
  Object.defineProperty(error, FROM_SUBMISSION, { value: what });
  return error;
}

/** What the learner's process may touch. */
export interface SandboxOptions {
  /** Files and folders the learner's code may read (the submission, the course library). */
  readPaths: string[];
  /** Working folder of the learner's process (where `deno.json` is found). */
  cwd: string;
  /** Console output kept, in bytes (the rest is counted and dropped). Default 64 KiB. */
  outputLimit?: number;
  /** Heap limit of the learner's process, in MiB. Default 512. */
  memoryMb?: number;
}

/** Thrown when a learner's function runs past the check's deadline. */
export class SandboxTimeout extends Error {
  constructor(what: string, ms: number) {
    super(
      `${what} did not return within ${ms} ms (an endless loop?); the grading stopped it`,
    );
    this.name = "SandboxTimeout";
  }
}

/** An access the learner's process attempted and was refused. */
export interface RefusedAccess {
  /** read, write, net, run, env, sys, ffi, import */
  permission: string;
  value: string | null;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  what: string;
}

interface Answer {
  id: number;
  kind: "value" | "throw" | "pending" | "settled" | "event";
  value?: unknown;
  error?: ErrorMark;
  ok?: boolean;
}

const CHILD = new URL("./sandbox_child.ts", import.meta.url).pathname;
const BRIDGE = new URL("./sandbox_bridge.ts", import.meta.url);

function pathsFlag(paths: string[]): string {
  return paths.map((p) => p.replaceAll(",", ",,")).join(",");
}

/** The environment the learner's process starts with: enough for Deno's cache, nothing else. */
function childEnv(audit: string): Record<string, string> {
  const env: Record<string, string> = {
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    DENO_AUDIT_PERMISSIONS: audit,
  };
  for (const name of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

/** A learner's module loaded in its own least-privileged process. */
export class Sandbox {
  /** Console output of the learner's code (cut at the output limit). */
  output = "";
  /** Things that went wrong outside any call: unhandled rejections, exits, garbled frames. */
  readonly events: string[] = [];
  /** Until when (performance.now() ms) a synchronous call may run. */
  deadline = Infinity;
  /** The process id of the learner's process. */
  pid = 0;

  #worker: Worker;
  #sab = new SharedArrayBuffer(1 << 16, { maxByteLength: 1 << 28 });
  #header = new Int32Array(this.#sab, 0, 3);
  #nextId = 0;
  #pending = new Map<number, Pending>();
  #alive = true;
  #closing = false;
  #closed: Promise<void>;
  #auditDir: string;
  #options: SandboxOptions;
  #marks = new WeakMap<object, RefMark>();
  #refusedHere: RefusedAccess[] = [];
  #started: Promise<void>;

  private constructor(options: SandboxOptions) {
    this.#options = options;
    this.#auditDir = Deno.makeTempDirSync({ prefix: "grading-audit-" });
    this.#worker = new Worker(BRIDGE, { type: "module" });
    let started!: () => void, closed!: () => void;
    this.#started = new Promise((resolve) => (started = resolve));
    this.#closed = new Promise((resolve) => (closed = resolve));
    this.#worker.onmessage = (event) => {
      const data = event.data;
      switch (data.type) {
        case "started":
          this.pid = data.pid;
          started();
          break;
        case "frame":
          this.#onFrame(data.message);
          break;
        case "output":
          this.output += data.text;
          break;
        case "output-dropped":
          this.events.push(
            `the module printed ${data.bytes} more bytes of output, which were dropped`,
          );
          break;
        case "garbled":
          this.events.push(
            "the module wrote to the grading channel (stdout) directly; it was stopped",
          );
          break;
        case "exit":
          this.#onExit(data.code, data.signal, data.stopped);
          break;
        case "closed":
          closed();
          break;
      }
    };
    const memory = options.memoryMb ?? 512;
    const args = [
      "run",
      "--quiet",
      "--no-prompt",
      "--no-remote",
      `--allow-read=${pathsFlag(options.readPaths)}`,
      "--allow-net=127.0.0.1",
      "--deny-write",
      "--deny-run",
      "--deny-env",
      "--deny-ffi",
      "--deny-sys",
      `--v8-flags=--max-old-space-size=${memory}`,
      CHILD,
    ];
    this.#worker.postMessage({
      type: "start",
      sab: this.#sab,
      command: Deno.execPath(),
      args,
      cwd: options.cwd,
      env: childEnv(`${this.#auditDir}/audit.jsonl`),
      outputLimit: options.outputLimit ?? 64 * 1024,
    });
  }

  /** Start a learner's process. */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.#started;
    return sandbox;
  }

  /** Whether the learner's process still runs. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Import the learner's module there; its exports, as stand-ins that forward calls. */
  load(url: string): Promise<Record<string, unknown>> {
    return this.#asyncRequest({ op: "load", url }, "loading the module").then((value) =>
      Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.#decode(v)]),
      )
    );
  }

  /** Names of the learner's calls that have not settled yet. */
  pendingCalls(): string[] {
    return [...this.#pending.values()].map((p) => p.what);
  }

  /** Stop the learner's process and wait until it is gone. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#worker.postMessage({ type: "close" });
    }
    await this.#closed;
    this.#worker.terminate();
  }

  /**
   * What the learner's process tried and was refused, from Deno's own audit log
   * (call after `close()`).
   */
  refusedAccesses(): RefusedAccess[] {
    const refused: RefusedAccess[] = [...this.#refusedHere];
    const seen = new Set<string>(refused.map((r) => `${r.permission} ${r.value}`));
    for (const entry of this.#audit()) {
      if (this.#allowed(entry.permission, entry.value)) continue;
      const key = `${entry.permission} ${entry.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      refused.push({ permission: entry.permission, value: entry.value });
    }
    return refused;
  }

  /** Files the learner's process read (module loads included), from the audit log. */
  filesRead(): string[] {
    return [
      ...new Set(
        this.#audit().filter((e) => e.permission === "read" && this.#allowed("read", e.value))
          .map((e) => e.value!),
      ),
    ];
  }

  #auditEntries: RefusedAccess[] | undefined;
  #audit(): RefusedAccess[] {
    if (this.#auditEntries) return this.#auditEntries;
    let text = "";
    try {
      text = Deno.readTextFileSync(`${this.#auditDir}/audit.jsonl`);
      Deno.removeSync(this.#auditDir, { recursive: true });
    } catch {
      // nothing was logged, or already read
    }
    this.#auditEntries = text.split("\n").flatMap((line) => {
      try {
        const { permission, value } = JSON.parse(line);
        return [{ permission, value }];
      } catch {
        return [];
      }
    });
    return this.#auditEntries;
  }

  #allowed(permission: string, value: string | null): boolean {
    if (permission === "read") {
      if (value === null) return false;
      return this.#options.readPaths.some((p) => value === p || value.startsWith(`${p}/`));
    }
    if (permission === "net") return value !== null && /^127\.0\.0\.1(:\d+)?$/.test(value);
    return false;
  }

  #onFrame(message: Answer & { event?: string; permission?: string; value?: unknown }): void {
    if (message.kind === "event" && message.event === "refused") {
      this.#refusedHere.push({ permission: message.permission!, value: String(message.value) });
      return;
    }
    if (message.kind === "event") {
      const error = errorFrom(message.error!);
      const what = message.event === "unhandledrejection"
        ? "a promise was rejected and nobody handled it"
        : "an error was thrown outside any call";
      this.events.push(`${what}: ${error.message}`);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    if (message.kind === "pending") return; // an async request: wait for "settled"
    this.#pending.delete(message.id);
    if (message.kind === "value" || (message.kind === "settled" && message.ok)) {
      pending.resolve(message.value);
    } else {
      pending.reject(thrownBy(message.error!, pending.what));
    }
  }

  #onExit(code: number, signal: string | null, stopped: boolean): void {
    this.#alive = false;
    if (!stopped) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const oom = signal === "SIGTRAP" || signal === "SIGABRT" || code === 133 || code === 134;
      this.events.push(
        `the module's process ${how}${oom ? " (out of memory?)" : ""} while it was being graded`,
      );
    }
    for (const [, pending] of this.#pending) {
      pending.reject(
        new Error(`the module's process ended while ${pending.what} was running`),
      );
    }
    this.#pending.clear();
  }

  #asyncRequest(message: Record<string, unknown>, what: string): Promise<unknown> {
    if (!this.#alive) return Promise.reject(new Error(`the module's process has ended`));
    const id = ++this.#nextId;
    const promise = new Promise((resolve, reject) =>
      this.#pending.set(id, { resolve, reject, what })
    );
    this.#worker.postMessage({
      type: "request",
      id,
      sync: false,
      frame: frame({ ...message, id }),
    });
    return promise;
  }

  /** Send a request and block until its answer, at most until the deadline. */
  #syncRequest(message: Record<string, unknown>, what: string): unknown {
    if (!this.#alive) throw new Error(`${what} cannot run: the module's process has ended`);
    const id = ++this.#nextId;
    Atomics.store(this.#header, SLOT.state, STATE.waiting);
    this.#worker.postMessage({ type: "request", id, sync: true, frame: frame({ ...message, id }) });
    const started = performance.now();
    while (true) {
      const remaining = this.deadline - performance.now();
      if (remaining <= 0) {
        this.#alive = false;
        this.#closing = true;
        this.#worker.postMessage({ type: "close" });
        const allowed = Math.round(this.deadline - started);
        throw new SandboxTimeout(what, Math.max(allowed, 0));
      }
      Atomics.wait(this.#header, SLOT.state, STATE.waiting, Math.min(remaining, 2 ** 31 - 1));
      const state = Atomics.load(this.#header, SLOT.state);
      if (state === STATE.waiting) continue;
      if (Atomics.load(this.#header, SLOT.id) !== id) {
        Atomics.store(this.#header, SLOT.state, STATE.waiting); // a stale answer
        continue;
      }
      if (state === STATE.gone) {
        this.#alive = false;
        throw new Error(`the module's process ended while ${what} was running`);
      }
      break;
    }
    const length = Atomics.load(this.#header, SLOT.length);
    const bytes = new Uint8Array(this.#sab, HEADER_BYTES, length).slice();
    const answer = deserialize(bytes) as Answer;
    if (answer.kind === "throw") throw thrownBy(answer.error!, what);
    if (answer.kind === "pending") {
      return new Promise((resolve, reject) =>
        this.#pending.set(id, {
          resolve: (value) => resolve(this.#decode(value)),
          reject,
          what,
        })
      );
    }
    return this.#decode(answer.value);
  }

  #encodeArg(value: unknown): unknown {
    if ((typeof value === "object" || typeof value === "function") && value !== null) {
      const mark = this.#marks.get(value);
      if (mark) return mark;
    }
    if (typeof value === "function") {
      throw new TypeError(
        "Cannot pass a function to the graded module: it runs in another process, and only " +
          "plain data (and objects it returned) can cross (see lib/grading/wire.ts)",
      );
    }
    if (Array.isArray(value) && !isPlainData(value)) return value.map((v) => this.#encodeArg(v));
    if (!isPlainData(value)) {
      const kind = (value as object)?.constructor?.name ?? "object";
      throw new TypeError(
        `Cannot pass a ${kind} to the graded module: it runs in another process, and only ` +
          "plain data (and objects it returned) can cross; give it a port to connect to instead",
      );
    }
    return value;
  }

  #decode(value: unknown): unknown {
    if (!isRefMark(value)) return value;
    const mark = value;
    const label = mark.name ? `${mark.name}()` : "a method";
    const get = (key: string | symbol): unknown => {
      const name = typeof key === "symbol" ? symbolName(key) : key;
      if (name === null) return undefined;
      return this.#syncRequest({ op: "get", ref: mark[REF], key: name }, `reading .${name}`);
    };
    const proxy = mark.callable
      ? new Proxy(function () {}, {
        apply: (_, self, args) =>
          this.#syncRequest({
            op: "call",
            ref: mark[REF],
            // `this` crosses only when it is itself one of the module's objects.
            self: (typeof self === "object" && self !== null && this.#marks.get(self)) ||
              undefined,
            args: args.map((a) => this.#encodeArg(a)),
          }, label),
        construct: (_, args) =>
          this.#syncRequest({
            op: "new",
            ref: mark[REF],
            args: args.map((a) => this.#encodeArg(a)),
          }, `new ${mark.name}()`) as object,
        get: (_, key) => {
          if (key === "name") return mark.name;
          if (typeof key === "symbol" || key === "then") return undefined;
          return get(key);
        },
      })
      : new Proxy({}, {
        get: (_, key) => get(key),
        has: (_, key) =>
          typeof key === "string" &&
          (this.#syncRequest({ op: "keys", ref: mark[REF] }, "listing keys") as string[])
            .includes(key),
        ownKeys: () =>
          this.#syncRequest({ op: "keys", ref: mark[REF] }, "listing keys") as string[],
        getOwnPropertyDescriptor: (_, key) => ({
          value: get(key),
          enumerable: true,
          configurable: true,
          writable: false,
        }),
      });
    this.#marks.set(proxy, { [REF]: mark[REF], callable: mark.callable, name: mark.name });
    return proxy;
  }
}
