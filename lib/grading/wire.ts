/**
 * How values cross between the grader and the sandboxed learner's module.
 *
 * The learner's module runs in its own process (see `sandbox.ts`); the grader calls its
 * exports through a pipe. Plain data (numbers, strings, arrays, plain objects, typed
 * arrays, `Set`, `Map`, `Date`) crosses by copy, as the structured clone algorithm would
 * copy it. Everything else the module hands out (functions, class instances, objects
 * with methods) stays in the learner's process and crosses as a reference: the grader
 * gets a stand-in whose calls and property reads are forwarded. Errors cross as their
 * class name and message.
 *
 * Frames on the pipe are a 4-byte big-endian length and a V8-serialized message.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** The words every refused action's message starts with. */
export const NOT_ALLOWED = "not allowed while grading";

/** The key that marks a reference to a value that stayed in the other process. */
export const REF = "\u0000grading-ref";
/** The key that marks an error. */
export const ERROR = "\u0000grading-error";

/** A value kept in the learner's process, named by number. */
export interface RefMark {
  [REF]: number;
  /** Whether the value can be called. */
  callable: boolean;
  /** The function's name, to name it in messages. */
  name: string;
}

/** An error as it crosses: class name, message, and a code such as ERR_ASSERTION. */
export interface ErrorMark {
  [ERROR]: { name: string; message: string; stack?: string };
}

/** Symbols that cross by name (`await using` and iteration on a remote object). */
export const WELL_KNOWN_SYMBOLS: Record<string, symbol> = {
  "@@dispose": Symbol.dispose,
  "@@asyncDispose": Symbol.asyncDispose,
  "@@iterator": Symbol.iterator,
  "@@asyncIterator": Symbol.asyncIterator,
};

/** The name a symbol crosses by, or null when it cannot cross. */
export function symbolName(key: symbol): string | null {
  for (const [name, symbol] of Object.entries(WELL_KNOWN_SYMBOLS)) {
    if (symbol === key) return name;
  }
  return null;
}

/** Whether a value is data that crosses by copy (nothing callable anywhere inside). */
export function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    return typeof value !== "symbol";
  }
  if (typeof value === "function") return false;
  if (seen.has(value)) return true;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (value instanceof Date || value instanceof RegExp) return true;
  if (value instanceof Error) return false;
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, seen));
  if (value instanceof Set) return [...value].every((v) => isPlainData(v, seen));
  if (value instanceof Map) {
    return [...value].every(([k, v]) => isPlainData(k, seen) && isPlainData(v, seen));
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isPlainData(v, seen));
}

/** An error as it crosses the pipe. */
export function errorMark(error: unknown): ErrorMark {
  if (error instanceof Error) {
    return {
      [ERROR]: { name: error.name, message: error.message, stack: error.stack },
    };
  }
  return { [ERROR]: { name: "Error", message: `(a thrown ${describeThrown(error)})` } };
}

function describeThrown(value: unknown): string {
  try {
    return `${typeof value}: ${JSON.stringify(value) ?? String(value)}`.slice(0, 500);
  } catch {
    return typeof value;
  }
}

const ERROR_CLASSES: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuild a crossed error as an error of this process, with the same class name. */
export function errorFrom(mark: ErrorMark): Error {
  const { name, message, stack } = mark[ERROR];
  const error = new (ERROR_CLASSES[name] ?? Error)(message);
  if (error.name !== name) {
    Object.defineProperty(error, "name", { value: name, configurable: true, writable: true });
  }
  if (stack) error.stack = stack;
  return error;
}

/** Whether a decoded value is an error mark. */
export function isErrorMark(value: unknown): value is ErrorMark {
  return typeof value === "object" && value !== null && ERROR in value;
}

/** Whether a decoded value is a reference mark. */
export function isRefMark(value: unknown): value is RefMark {
  return typeof value === "object" && value !== null && REF in value;
}

/** One frame: length, then the serialized message. */
export function frame(message: unknown): Uint8Array {
  const body = serialize(message);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/** Largest frame either side accepts (a bigger one is a broken or hostile peer). */
export const MAX_FRAME = 64 * 1024 * 1024;

/** Reads frames from a byte stream. */
export class FrameReader {
  #buffer = new Uint8Array(0);
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next message, or null at the end of the stream. Throws on a malformed frame. */
  async next(): Promise<unknown | null> {
    while (true) {
      if (this.#buffer.length >= 4) {
        const length = new DataView(this.#buffer.buffer, this.#buffer.byteOffset).getUint32(0);
        if (length > MAX_FRAME) throw new Error(`Cannot read frame: ${length} bytes is too long`);
        if (this.#buffer.length >= 4 + length) {
          const body = this.#buffer.slice(4, 4 + length);
          this.#buffer = this.#buffer.slice(4 + length);
          return deserialize(body);
        }
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        if (this.#buffer.length) throw new Error("Cannot read frame: the stream ended inside one");
        return null;
      }
      const joined = new Uint8Array(this.#buffer.length + value.length);
      joined.set(this.#buffer);
      joined.set(value, this.#buffer.length);
      this.#buffer = joined;
    }
  }

  /** Stop reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

export { deserialize, serialize };
