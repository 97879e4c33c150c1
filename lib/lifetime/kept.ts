/**
 * Servers, clients and folders kept for the kernel's lifetime under a name, so that
 * running a cell again replaces what its last run opened instead of adding to it.
 *
 * A notebook cell that starts a server (`const smtp = serveSmtp(...)`) leaks the old server
 * when the learner runs the cell again: the new `const` hides the old value, whose port
 * stays open until the kernel restarts. `keep("03 smtp", () => serveSmtp(...))` closes what
 * was kept under "03 smtp" first, then opens and keeps the new one. The registry lives on
 * `globalThis`, so it survives re-imports and is shared by every module of the kernel.
 *
 * @module
 */

/**
 * Something that can be closed: a server, a client, a listener, a temp folder, or a group
 * of them (an array, or a plain object whose closable members are closed).
 */
export type Closable =
  | { close(): unknown }
  | AsyncDisposable
  | Disposable
  | readonly unknown[]
  | { readonly [name: string]: unknown };

const REGISTRY = Symbol.for("course.lifetime.kept");

type Registry = Map<string, Closable>;

function registry(): Registry {
  const global = globalThis as unknown as Record<symbol, Registry | undefined>;
  return global[REGISTRY] ??= new Map();
}

const isGroup = (v: unknown): v is readonly unknown[] | Record<string, unknown> =>
  Array.isArray(v) ||
  (typeof v === "object" && v !== null &&
    [Object.prototype, null].includes(Object.getPrototypeOf(v)));

const isClosable = (v: unknown): v is Closable =>
  typeof v === "object" && v !== null &&
  (typeof (v as { close?: unknown }).close === "function" || Symbol.asyncDispose in v ||
    Symbol.dispose in v || isGroup(v));

/**
 * Close `value`: its `close()`, else its async or sync dispose. A group (an array or a
 * plain object) is closed member by member, last first; members that cannot be closed
 * (a store, a number) are data and left alone. Errors are collected, so one failure does
 * not leave the rest open.
 *
 * @throws {TypeError} `value` has nothing to close.
 */
export async function closeValue(value: Closable): Promise<void> {
  if (!isClosable(value)) {
    throw new TypeError(`Cannot close ${String(value)}: it has no close() and is not a group`);
  }
  const errors: unknown[] = [];
  const close = async (v: unknown): Promise<void> => {
    try {
      if (typeof (v as { close?: unknown }).close === "function") {
        await (v as { close(): unknown }).close();
      } else if (Symbol.asyncDispose in (v as object)) {
        await (v as AsyncDisposable)[Symbol.asyncDispose]();
      } else if (Symbol.dispose in (v as object)) {
        (v as Disposable)[Symbol.dispose]();
      } else if (isGroup(v)) {
        for (const member of Object.values(v).reverse()) {
          if (isClosable(member)) await close(member);
        }
      }
    } catch (error) {
      errors.push(error);
    }
  };
  await close(value);
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new AggregateError(errors, "Cannot close everything kept");
}

/**
 * Open a value and keep it under `name`, after closing whatever an earlier run kept under
 * that name (so its ports and connections are free again before the new one opens).
 *
 * @example Running the same cell twice leaves one server
 * ```ts
 * import { keep, keptNames, release } from "./kept.ts";
 * import { serveLoopback } from "../net/loopback.ts";
 * const first = await keep("doc echo", () => serveLoopback(() => {}));
 * const second = await keep("doc echo", () => serveLoopback(() => {}));
 * // first is closed: connecting to its port now fails
 * await Deno.connect({ hostname: "127.0.0.1", port: first.port }).then(
 *   (c) => { c.close(); throw new Error("the first server still listens"); },
 *   () => {},
 * );
 * if (keptNames().join() !== "doc echo") throw new Error(keptNames().join());
 * await release("doc echo");
 * ```
 */
export async function keep<T extends Closable>(
  name: string,
  open: () => T | Promise<T>,
): Promise<T> {
  await release(name);
  const value = await open();
  registry().set(name, value);
  return value;
}

/** Close and forget what is kept under `name` (nothing happens when nothing is). */
export async function release(name: string): Promise<void> {
  const kept = registry();
  const value = kept.get(name);
  if (value === undefined) return;
  kept.delete(name);
  await closeValue(value);
}

/** Close and forget everything kept, newest first: the last cell of a chapter calls it. */
export async function releaseAll(): Promise<void> {
  const errors: unknown[] = [];
  for (const name of [...registry().keys()].reverse()) {
    await release(name).catch((error) => errors.push(error));
  }
  if (errors.length) throw new AggregateError(errors, "Cannot close everything kept");
}

/** The names under which something is kept now, oldest first. */
export function keptNames(): string[] {
  return [...registry().keys()];
}
