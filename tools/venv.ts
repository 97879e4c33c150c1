/**
 * The Python side of the course, kept in a project-local `.venv`: JupyterLab, nbclient,
 * nbconvert and plotly at the versions `requirements.txt` pins, the course's kernelspec and
 * JupyterLab settings inside the venv (so nothing is written to the user's home folder).
 *
 * Installing happens once: the hash of requirements.txt is stored in the venv and pip runs
 * again only when the file changes.
 *
 * @module
 */

import { LAB_V8_FLAGS } from "../lib/lab/v8_flags.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
/** The course's virtual environment. */
export const VENV = `${ROOT}/.venv`;
/** Its Python interpreter. */
export const VENV_PYTHON = `${VENV}/bin/python`;
/** Where the Deno kernelspec is written: on Jupyter's data path for this venv. */
export const KERNEL_DIR = `${VENV}/share/jupyter/kernels/deno`;

async function run(cmd: string, args: string[], what: string): Promise<void> {
  let status;
  try {
    status = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" }).output();
  } catch (error) {
    throw new Error(`Cannot ${what}: ${cmd} is not available (${(error as Error).message})`);
  }
  if (!status.success) {
    throw new Error(`Cannot ${what}: ${cmd} ${args.join(" ")} exited with ${status.code}`);
  }
}

/** The first Python 3.9+ among $PYTHON, python3 and python. @throws {Error} none is installed, saying how to install one. */
export function findPython(): string {
  for (const name of [Deno.env.get("PYTHON"), "python3", "python"]) {
    if (!name) continue;
    try {
      const out = new Deno.Command(name, { args: ["--version"], stdout: "piped", stderr: "piped" })
        .outputSync();
      const version = new TextDecoder().decode(out.stdout).trim();
      const [, major, minor] = version.match(/Python (\d+)\.(\d+)/) ?? [];
      if (out.success && Number(major) === 3 && Number(minor) >= 9) return name;
    } catch {
      // not installed under this name
    }
  }
  throw new Error(
    "Cannot prepare JupyterLab: Python 3.9 or newer was not found (tried $PYTHON, python3, python).\n" +
      "Install it (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python) and run again.",
  );
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Make sure `.venv` exists with the pinned requirements and the Deno kernelspec.
 * Quiet and quick when everything is already in place.
 */
export async function ensureVenv(options: { quiet?: boolean } = {}): Promise<void> {
  const say = (text: string) => options.quiet || console.error(text);
  if (readText(VENV_PYTHON + "3") === null && readText(VENV_PYTHON) === null) {
    const python = findPython();
    say(`Creating ${VENV} with ${python} ...`);
    await run(
      python,
      ["-m", "venv", VENV],
      "create the virtual environment (Debian/Ubuntu: apt-get install python3-venv)",
    );
  }
  const wanted = await sha256(`${ROOT}/requirements.txt`);
  const stamp = `${VENV}/.course-requirements.sha256`;
  if (readText(stamp)?.trim() !== wanted) {
    say("Installing JupyterLab, nbclient, nbconvert and plotly into .venv (once) ...");
    await run(
      VENV_PYTHON,
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        `${ROOT}/requirements.txt`,
      ],
      "install the Python requirements (is pip available? Debian/Ubuntu: apt-get install python3-pip python3-venv)",
    );
    Deno.writeTextFileSync(stamp, wanted + "\n");
  }
  writeKernelspec();
  writeLabOverrides();
}

/** JupyterLab's settings for the course, applied to every user of this environment. */
export const LAB_OVERRIDES = {
  // No "Would you like to get notified about official Jupyter news?" pop-up on a fresh start,
  // and no fetching of news or update checks from the internet.
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

/**
 * Write {@linkcode LAB_OVERRIDES} into JupyterLab's `overrides.json` (default: the `.venv`'s,
 * `share/jupyter/lab/settings`, where JupyterLab installed there looks). Settings already in
 * the file for other plugins are kept; a learner's own settings still win.
 */
export function writeLabOverrides(dir = `${VENV}/share/jupyter/lab/settings`): void {
  const path = `${dir}/overrides.json`;
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(readText(path) ?? "{}");
  } catch {
    // not JSON: replaced below
  }
  const text = JSON.stringify({ ...current, ...LAB_OVERRIDES }, null, 2) + "\n";
  if (readText(path) === text) return;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(path, text);
}

/** The course's kernel: a wrapper around `deno jupyter` (see tools/kernel/course_kernel.py). */
export const KERNEL_WRAPPER = `${ROOT}/tools/kernel/course_kernel.py`;

/** Where and with what {@linkcode writeKernelspec} registers the kernel. */
export interface KernelspecOptions {
  /** The kernelspec folder (default: {@linkcode KERNEL_DIR}, inside `.venv`). */
  dir?: string;
  /** A Python 3.9+ with pyzmq (default: the `.venv`'s). */
  python?: string;
  /** The Deno to run (default: the one running this script). */
  deno?: string;
}

/**
 * Register the course's kernel as the `deno` kernelspec (the name the notebooks ask for): the
 * wrapper in tools/kernel/ between the frontend and `deno jupyter`, which keeps every output
 * under its own cell and survives Kernel → Interrupt. `interrupt_mode: "message"` makes
 * frontends send interrupt_request instead of SIGINT. Rewritten only when it changes (say,
 * after a Deno upgrade), so a running JupyterLab is not disturbed. Other setups (a Binder
 * image, a JupyterHub) call this with their own folder and Python.
 */
export function writeKernelspec(options: KernelspecOptions = {}): void {
  const dir = options.dir ?? KERNEL_DIR;
  const spec = {
    argv: [
      options.python ?? VENV_PYTHON,
      KERNEL_WRAPPER,
      "--deno",
      options.deno ?? Deno.execPath(),
      "{connection_file}",
    ],
    // Without NO_COLOR, text/plain results carry ANSI colour codes. The V8 flags are the
    // lab's (lib/lab/v8_flags.ts): notebooks serve IMAP from the kernel too.
    env: { NO_COLOR: "1", DENO_V8_FLAGS: LAB_V8_FLAGS },
    display_name: "Deno",
    language: "typescript",
    interrupt_mode: "message",
  };
  const text = JSON.stringify(spec, null, 2) + "\n";
  if (readText(`${dir}/kernel.json`) === text) return;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(`${dir}/kernel.json`, text);
}

if (import.meta.main) {
  try {
    await ensureVenv();
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
