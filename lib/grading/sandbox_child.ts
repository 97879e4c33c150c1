/**
 * The learner's side of the sandbox: the only process in which a submission's code runs.
 *
 * It is started by the bridge (`sandbox_bridge.ts`) with least privilege: read access to
 * the submission's folder and the course library, network to 127.0.0.1, nothing else (no
 * write, no subprocesses, no environment, no FFI, no system information). It loads the
 * module, then answers the grader's requests (call an export, read a property) one frame
 * at a time on stdin and stdout. It never decides a score: all it can report is what the
 * learner's code returned or threw.
 *
 * Before the learner's module loads, the ways a module could disturb the grading are
 * turned into ordinary errors: console output goes to stderr (stdout carries the
 * frames), `Deno.exit` and `process.exit` throw, and unhandled rejections are reported
 * instead of ending the process.
 *
 * @module
 */

import process from "node:process";
import { Console } from "node:console";
import {
  errorMark,
  frame,
  FrameReader,
  isPlainData,
  isRefMark,
  NOT_ALLOWED,
  REF,
  type RefMark,
  WELL_KNOWN_SYMBOLS,
} from "./wire.ts";

const stdout = Deno.stdout;
const exit = Deno.exit.bind(Deno);
function send(message: unknown): void {
  const bytes = frame(message);
  let written = 0;
  while (written < bytes.length) written += stdout.writeSync(bytes.subarray(written));
}

/** Errors from the permission system read as what they are: forbidden during grading. */
function explain(error: unknown): unknown {
  if (error instanceof Deno.errors.NotCapable || (error as Error)?.name === "NotCapable") {
    const what = (error as Error).message.replace(/, run again with the --allow-\w+ flag$/, "");
    const plain = new Error(`${NOT_ALLOWED}: ${what}`);
    plain.name = "NotAllowedWhileGrading";
    return plain;
  }
  return error;
}

// Console output is the learner's; stdout belongs to the frames.
const quiet = new Console({ stdout: process.stderr, stderr: process.stderr });
Object.defineProperty(globalThis, "console", { value: quiet, writable: true, configurable: true });
Object.defineProperty(Deno, "stdout", { value: Deno.stderr, configurable: true });
Object.defineProperty(process, "stdout", { value: process.stderr, configurable: true });

const refuseExit = (how: string) => (code?: number) => {
  throw new Error(
    `${NOT_ALLOWED}: ${how}(${code ?? ""}) would end the grading; throw an Error or return instead`,
  );
};
Object.defineProperty(Deno, "exit", { value: refuseExit("Deno.exit"), configurable: true });
Object.defineProperty(process, "exit", { value: refuseExit("process.exit"), configurable: true });

// Deno's audit log does not record refused subprocesses: report them here.
const RealCommand = Deno.Command;
class RefusedCommand extends RealCommand {
  #program: string;
  constructor(program: string | URL, options?: Deno.CommandOptions) {
    super(program, options);
    this.#program = String(program);
  }
  #report(): void {
    send({ kind: "event", event: "refused", permission: "run", value: this.#program });
  }
  override output(): Promise<Deno.CommandOutput> {
    this.#report();
    return super.output();
  }
  override outputSync(): Deno.CommandOutput {
    this.#report();
    return super.outputSync();
  }
  override spawn(): Deno.ChildProcess {
    this.#report();
    return super.spawn();
  }
}
Object.defineProperty(Deno, "Command", { value: RefusedCommand, configurable: true });

globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  send({ kind: "event", event: "unhandledrejection", error: errorMark(explain(event.reason)) });
});
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  send({ kind: "event", event: "uncaught", error: errorMark(explain(event.error)) });
});

// A server closing the connection shows up in the learner's code as a read that returns
// null; an error that follows ("Cannot read properties of null") is named for what it is.
let endsOfStream = 0;
const realConnect = Deno.connect;
Object.defineProperty(Deno, "connect", {
  configurable: true,
  value: async (options: Deno.ConnectOptions) => {
    const conn = await realConnect(options);
    const read = conn.read.bind(conn);
    Object.defineProperty(conn, "read", {
      configurable: true,
      value: async (buffer: Uint8Array) => {
        const n = await read(buffer);
        if (n === null) endsOfStream++;
        return n;
      },
    });
    return conn;
  },
});

/** The error, with a note when the server closed a connection while the call ran. */
function withContext(error: unknown, endsBefore: number): unknown {
  if (
    endsOfStream > endsBefore && error instanceof TypeError &&
    /null|undefined/.test(error.message)
  ) {
    const named = new TypeError(
      `${error.message} (the server had closed the connection: a read returned null, ` +
        "the end of the stream; check for null before using a line)",
    );
    named.stack = error.stack;
    return named;
  }
  return error;
}

const refs: unknown[] = [];
function refTo(value: unknown): RefMark {
  refs.push(value);
  const name = typeof value === "function" ? value.name : "";
  return { [REF]: refs.length - 1, callable: typeof value === "function", name };
}

/** What crosses for a value: a copy of plain data, else a reference. */
function encode(value: unknown): unknown {
  return isPlainData(value) ? value : refTo(value);
}

/** The module's exports: each export encoded on its own. */
function encodeNamespace(namespace: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(namespace)) out[key] = encode(namespace[key]);
  return out;
}

function decode(value: unknown): unknown {
  if (isRefMark(value)) return refs[value[REF]];
  if (Array.isArray(value)) return value.map(decode);
  return value;
}

function keyOf(key: string): string | symbol {
  return WELL_KNOWN_SYMBOLS[key] ?? key;
}

interface Request {
  id: number;
  op: "load" | "call" | "new" | "get" | "keys";
  url?: string;
  ref?: number;
  self?: unknown;
  args?: unknown[];
  key?: string;
}

async function answer(request: Request): Promise<void> {
  const { id } = request;
  const endsBefore = endsOfStream;
  let result: unknown;
  try {
    switch (request.op) {
      case "load": {
        const namespace = await import(request.url!);
        send({ id, kind: "value", value: encodeNamespace(namespace) });
        return;
      }
      case "call": {
        const fn = refs[request.ref!] as (...args: unknown[]) => unknown;
        result = Reflect.apply(fn, decode(request.self), (request.args ?? []).map(decode));
        break;
      }
      case "new": {
        const fn = refs[request.ref!] as new (...args: unknown[]) => unknown;
        result = Reflect.construct(fn, (request.args ?? []).map(decode));
        break;
      }
      case "get": {
        const target = refs[request.ref!] as Record<string | symbol, unknown>;
        const value = target[keyOf(request.key!)];
        // A method read off an object is sent bound, so that `this` still works.
        result = typeof value === "function" ? value.bind(target) : value;
        break;
      }
      case "keys":
        result = Object.keys(refs[request.ref!] as object);
        break;
    }
  } catch (error) {
    send({ id, kind: "throw", error: errorMark(explain(withContext(error, endsBefore))) });
    return;
  }
  if (result instanceof Promise || typeof (result as PromiseLike<unknown>)?.then === "function") {
    send({ id, kind: "pending" });
    try {
      const value = await result;
      send({ id, kind: "settled", ok: true, value: encode(value) });
    } catch (error) {
      send({
        id,
        kind: "settled",
        ok: false,
        error: errorMark(explain(withContext(error, endsBefore))),
      });
    }
    return;
  }
  send({ id, kind: "value", value: encode(result) });
}

const requests = new FrameReader(Deno.stdin.readable);
while (true) {
  let request: Request | null;
  try {
    request = await requests.next() as Request | null;
  } catch {
    break;
  }
  if (request === null) break;
  // Not awaited: an async export may wait on the grader while other requests come in.
  answer(request).catch((error) =>
    send({ id: request.id, kind: "throw", error: errorMark(explain(error)) })
  );
}
// The grader closed the pipe: nothing more will be asked.
exit(0);
