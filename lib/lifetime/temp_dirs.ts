/**
 * The course's temporary folders (Maildirs of the chapters' servers), kept in one folder
 * per kernel so that none outlives the kernel that made it.
 *
 * Layout: `<system temp>/email-course-<uid>/kernel-<pid>/<prefix><random>/`, or under
 * `$COURSE_TEMP_ROOT` when it is set. While a kernel runs, it holds an exclusive lock on
 * `kernel-<pid>/.lock`; the operating system releases the lock when the process ends,
 * however it ends (shutdown, restart, crash, SIGKILL). So whoever finds a kernel folder
 * whose lock can be taken knows its kernel is gone and removes it:
 *
 * - every kernel, the first time it asks for a folder ("on the next start");
 * - the course's kernel wrapper, when the Deno process it runs exits ("on shutdown"):
 *   Deno's kernel leaves on a shutdown request without running any JavaScript (no `unload`
 *   event), so the kernel cannot clean up after itself.
 *
 * @module
 */

import { tmpdir } from "node:os";

/** The folder holding one folder per kernel. */
export function tempRoot(): string {
  return Deno.env.get("COURSE_TEMP_ROOT") ?? `${tmpdir()}/email-course-${Deno.uid() ?? "user"}`;
}

const STATE = Symbol.for("course.lifetime.temp");

interface KernelFolder {
  path: string;
  /** Held open for the kernel's lifetime: its lock marks the folder as in use. */
  lock: Deno.FsFile;
  /** Folders of ended kernels removed when this one was made. */
  swept: string[];
}

/** A folder without a lock file may be one being set up right now: leave it this long. */
const UNLOCKED_GRACE_MS = 60_000;

/**
 * Remove the folders of kernels that have ended (their lock can be taken), skipping
 * `keep`. Returns the paths removed.
 */
export function sweepEndedKernels(root: string = tempRoot(), keep?: string): string[] {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(root)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return removed;
    throw error;
  }
  for (const entry of entries) {
    const path = `${root}/${entry.name}`;
    if (!entry.isDirectory || !entry.name.startsWith("kernel-") || path === keep) continue;
    if (ended(path)) {
      Deno.removeSync(path, { recursive: true });
      removed.push(path);
    }
  }
  return removed;
}

function ended(folder: string): boolean {
  let lock: Deno.FsFile;
  try {
    lock = Deno.openSync(`${folder}/.lock`, { read: true, write: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return false;
    const age = Date.now() - (Deno.statSync(folder).mtime?.getTime() ?? Date.now());
    return age > UNLOCKED_GRACE_MS;
  }
  try {
    return lock.tryLockSync(true); // taken: nobody holds it, the kernel has ended
  } finally {
    lock.close();
  }
}

/**
 * This kernel's folder, made (and locked) on first use; folders of ended kernels are
 * removed then.
 */
export function kernelFolder(): KernelFolder {
  const global = globalThis as unknown as Record<symbol, KernelFolder | undefined>;
  const existing = global[STATE];
  if (existing) return existing;
  const root = tempRoot();
  Deno.mkdirSync(root, { recursive: true, mode: 0o700 });
  const path = `${root}/kernel-${Deno.pid}`;
  // A folder of this pid can only be left by an ended process that had the same pid.
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.mkdirSync(path, { mode: 0o700 });
  const lock = Deno.openSync(`${path}/.lock`, { read: true, write: true, create: true });
  if (!lock.tryLockSync(true)) {
    lock.close();
    throw new Error(`Cannot make the kernel's temp folder: ${path} is locked by another process`);
  }
  const swept = sweepEndedKernels(root, path);
  return global[STATE] = { path, lock, swept };
}

/**
 * Remove this kernel's folder (with everything in it) and release its lock; the next
 * {@linkcode kernelFolder} call makes a new one. For scripts and tests: a kernel's folder
 * goes when the kernel ends.
 */
export function removeKernelFolder(): void {
  const global = globalThis as unknown as Record<symbol, KernelFolder | undefined>;
  const state = global[STATE];
  if (!state) return;
  delete global[STATE];
  Deno.removeSync(state.path, { recursive: true });
  state.lock.close();
}

/** A temporary folder that removes itself on `close()` (so `keep()` can replace it). */
export class TempFolder implements AsyncDisposable {
  constructor(readonly path: string) {}

  /** Remove the folder and everything in it. Safe to call twice. */
  async close(): Promise<void> {
    await Deno.remove(this.path, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  toString(): string {
    return this.path;
  }
}

/**
 * A new empty folder in this kernel's folder, e.g. a chapter's Maildir. Keep it with
 * `keep()`, so running the cell again removes the old one.
 *
 * @example
 * ```ts
 * import { makeTempFolder, removeKernelFolder } from "./temp_dirs.ts";
 * {
 *   await using folder = await makeTempFolder("doc-");
 *   await Deno.writeTextFile(`${folder.path}/x`, "x");
 * } // removed here
 * removeKernelFolder(); // a script's end; in a notebook the kernel's end does this
 * ```
 */
export async function makeTempFolder(prefix: string): Promise<TempFolder> {
  return new TempFolder(await Deno.makeTempDir({ dir: kernelFolder().path, prefix }));
}
