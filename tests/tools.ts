/**
 * Third-party programs in tests.
 *
 * Interop tests let real mail software judge our protocol code. Where a program is
 * missing, a learner's run skips those tests with a visible notice; under `CI=true` a
 * missing program is a failure, because `.ci/run` installs them all.
 *
 * @module
 */

const found = new Map<string, string | null>();

/** The absolute path of `name` on PATH (or in the sbin folders), or null. */
export function findTool(name: string): string | null {
  if (found.has(name)) return found.get(name)!;
  const dirs = [
    ...(Deno.env.get("PATH") ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
    "/usr/lib/postfix/sbin",
    "/usr/lib/dovecot",
  ];
  let path: string | null = null;
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      const candidate = `${dir}/${name}`;
      if (Deno.statSync(candidate).isFile) {
        path = candidate;
        break;
      }
    } catch {
      // not in this folder
    }
  }
  found.set(name, path);
  return path;
}

/**
 * Options for a `Deno.test` that needs the named programs: `ignore` is set (with a
 * notice on stderr) when one is missing outside CI. Under `CI=true` the test runs and
 * fails on the missing program.
 *
 * @example
 * ```ts ignore
 * Deno.test({ name: "curl sends mail", ...requireTool("curl"), fn: async () => {} });
 * ```
 */
export function requireTool(...names: string[]): { ignore: boolean } {
  const missing = names.filter((n) => !findTool(n));
  if (missing.length === 0) return { ignore: false };
  if (Deno.env.get("CI") === "true") {
    throw new Error(
      `Cannot run interop tests: ${missing.join(", ")} not installed (CI=true requires them)`,
    );
  }
  console.error(`NOTICE: skipping tests that need ${missing.join(", ")} (not installed)`);
  return { ignore: true };
}

/**
 * Like {@linkcode requireTool}, for tests that must run as root (Postfix's master
 * starts as root): skipped with a notice otherwise, a failure under `CI=true`.
 */
export function requireRoot(why: string): { ignore: boolean } {
  if (Deno.uid() === 0) return { ignore: false };
  if (Deno.env.get("CI") === "true") {
    throw new Error(`Cannot run interop tests: ${why} needs root (CI=true requires it)`);
  }
  console.error(`NOTICE: skipping tests that need root: ${why}`);
  return { ignore: true };
}

/** The path of a program the test requires (call after {@linkcode requireTool}). */
export function tool(name: string): string {
  const path = findTool(name);
  if (!path) throw new Error(`Cannot find ${name} on PATH`);
  return path;
}

/** What a program printed, and how it ended. */
export interface RunResult {
  code: number;
  success: boolean;
  /** Standard output as text (UTF-8) and as the bytes themselves (byte-for-byte checks). */
  stdout: string;
  bytes: Uint8Array;
  stderr: string;
}

/** Options for {@linkcode run}. */
export interface RunOptions {
  /** Text for the program's standard input (none when omitted). */
  stdin?: string;
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** Kill the program after this many ms (default 60000): a hung client must not hang CI. */
  timeoutMs?: number;
}

/**
 * Run a third-party program to completion with a deadline, capturing its output.
 *
 * @example
 * ```ts ignore
 * const result = await run(tool("curl"), ["-sS", url]);
 * assert.equal(result.code, 0, result.stderr);
 * ```
 */
export async function run(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    success: out.success,
    stdout: decoder.decode(out.stdout),
    bytes: out.stdout,
    stderr: decoder.decode(out.stderr),
  };
}

/** {@linkcode run}, failing with the program's stderr unless it exits 0; returns stdout. */
export async function runOk(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(cmd, args, options);
  if (!result.success) {
    throw new Error(`Cannot run ${cmd} ${args.join(" ")}: exit ${result.code}\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * For graders: `checks` that need the named programs, kept when the programs are there.
 * Outside CI a missing program leaves them out, with a notice on stderr, so the learner's
 * points are counted over the checks that can run; under `CI=true` they stay in and fail,
 * saying what is missing. The programs run on the grader's side, never in learner code.
 *
 * @example
 * ```ts ignore
 * checks: [...always, ...withTools(["curl"], [curlCheck])]
 * ```
 */
export function withTools<T extends { name: string; run(...args: never[]): unknown }>(
  names: string[],
  checks: T[],
): T[] {
  const missing = names.filter((n) => !findTool(n));
  if (missing.length === 0) return checks;
  if (Deno.env.get("CI") === "true") {
    return checks.map((check) => ({
      ...check,
      run: () => {
        throw new Error(`Cannot run this check: ${missing.join(", ")} not installed (CI=true)`);
      },
    }));
  }
  for (const check of checks) {
    console.error(`NOTICE: skipping "${check.name}": ${missing.join(", ")} not installed`);
  }
  return [];
}
