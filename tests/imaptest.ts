/**
 * Dovecot's imaptest as a judge: build it with the shared build script (never from this
 * repository: its source, its binary and the recipe that builds it live in
 * ../shared/peer/imaptest beside the clone, and its cache outside the repository), run its
 * scripted test files against an IMAP server, and read the verdict on each file.
 *
 * @module
 */

import { requireTool } from "./tools.ts";

/** Where the shared imaptest kit sits: ../shared/peer/imaptest beside the clone. */
export const IMAPTEST_KIT = new URL("../../shared/peer/imaptest/", import.meta.url).pathname;

/** One scripted test file's verdict, as imaptest-scripted.sh classifies it. */
export interface ImaptestResult {
  /** The test file's name, e.g. "fetch-envelope". */
  file: string;
  /** pass, fail, or skip (the server lacks a capability the file needs). */
  status: "pass" | "fail" | "skip";
  /** Failed/total commands of the base protocol. */
  base: string;
  /** Failed/total commands of extensions. */
  extensions: string;
}

/**
 * Test options for tests that need imaptest: skipped with a notice where the kit (or
 * bash) is missing, a failure under CI=true, like {@linkcode requireTool}.
 */
export function requireImaptest(): { ignore: boolean } {
  const tools = requireTool("bash", "timeout");
  if (tools.ignore) return tools;
  try {
    Deno.statSync(`${IMAPTEST_KIT}imaptest-build.sh`);
    return { ignore: false };
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`Cannot run imaptest: ${IMAPTEST_KIT}imaptest-build.sh is missing`);
    }
    console.error(`NOTICE: skipping imaptest (no ${IMAPTEST_KIT}imaptest-build.sh)`);
    return { ignore: true };
  }
}

async function run(argv: string[]): Promise<string> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `Cannot run ${argv.join(" ")}: exit ${out.code}\n` +
        text.decode(out.stdout) + text.decode(out.stderr),
    );
  }
  return text.decode(out.stdout);
}

/**
 * Build imaptest once: the shared script caches it in $IMAPTEST_CACHE (default
 * /tmp/peer-imaptest) and installs dovecot-dev and autotools with apt-get when they are
 * missing. Returns the binary's path; the scripted test files are in `<its dir>/tests`.
 */
export async function buildImaptest(): Promise<string> {
  const lines = (await run(["bash", `${IMAPTEST_KIT}imaptest-build.sh`])).trim().split("\n");
  return lines[lines.length - 1];
}

/** Parse imaptest-scripted.sh's results.tsv. */
export function parseResults(tsv: string): ImaptestResult[] {
  return tsv.split("\n").filter(Boolean).map((line) => {
    const [file, status, base, extensions] = line.split("\t");
    if (status !== "pass" && status !== "fail" && status !== "skip") {
      throw new Error(`Cannot read imaptest result line ${JSON.stringify(line)}`);
    }
    return { file, status, base, extensions };
  });
}

/**
 * Run every scripted test file against the IMAP server on 127.0.0.1:`port` as `user`
 * (whose mailboxes named imaptest* are deleted and created again), one file at a time.
 * Each file's log stays in `outDir` as `<file>.log`.
 */
export async function runScripted(
  binary: string,
  port: number,
  user: string,
  password: string,
  outDir: string,
): Promise<ImaptestResult[]> {
  const tests = binary.replace(/[^/]*$/, "tests");
  await run([
    "bash",
    `${IMAPTEST_KIT}imaptest-scripted.sh`,
    binary,
    tests,
    String(port),
    user,
    password,
    outDir,
  ]);
  return parseResults(await Deno.readTextFile(`${outDir}/results.tsv`));
}
