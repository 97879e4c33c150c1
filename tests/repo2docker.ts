/**
 * What repo2docker does with `binder/`, done without Docker: the same files read the same
 * way, the same commands in the same order, into a temporary folder laid out like the image.
 *
 * repo2docker (jupyterhub/repo2docker, `buildpacks/base.py`, `python/__init__.py`,
 * `conda/__init__.py`) builds an image in this order:
 *
 * 1. as root: `apt-get install --yes --no-install-recommends` the sorted packages of
 *    `apt.txt` (a line's text before `#`, each name matching `^[a-z0-9.+-]+`);
 * 2. as the notebook user: `$KERNEL_PYTHON_PREFIX/bin/pip install --no-cache-dir -r
 *    binder/requirements.txt` (in the repository's folder when the file refers to another
 *    file, as ours does);
 * 3. as the notebook user, in `$REPO_DIR`: `chmod +x binder/postBuild && ./binder/postBuild`.
 *
 * Here the image's Python environment (`/srv/conda/envs/notebook`) is a fresh venv, and the
 * home folder, `$NPM_DIR` and `$REPO_DIR` are temporary folders. Step 1 cannot be done
 * without root and a package cache of Ubuntu's, so it is checked instead: every package of
 * apt.txt must be installed on this machine.
 *
 * @module
 */

import { findPython } from "../tools/venv.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** The files repo2docker reads from `binder/` (and what each is for). */
export const REPO2DOCKER_FILES = [
  "apt.txt",
  "requirements.txt",
  "runtime.txt",
  "postBuild",
  "start",
  "environment.yml",
  "Pipfile",
  "Pipfile.lock",
  "install.R",
  "Project.toml",
  "default.nix",
  "Dockerfile",
  "requirements3.txt",
];

/**
 * The package names in an `apt.txt`, as repo2docker reads them.
 *
 * @throws {Error} a line repo2docker would refuse.
 *
 * @example
 * ```ts
 * import { aptPackages } from "./repo2docker.ts";
 * const names = aptPackages("# mail\ncurl\nswaks  # SMTP\n\n");
 * if (names.join(",") !== "curl,swaks") throw new Error(names.join(","));
 * ```
 */
export function aptPackages(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split("\n")) {
    const name = line.split("#")[0].trim();
    if (!name) continue;
    if (!/^[a-z0-9.+-]+/.test(name) || /\s/.test(name)) {
      throw new Error(`Cannot read apt.txt: "${name}" is not a package name`);
    }
    names.push(name);
  }
  return names.sort();
}

/** The packages of `names` that dpkg does not list as installed. */
export async function missingPackages(names: string[]): Promise<string[]> {
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f", "${Package} ${db:Status-Status}\n", ...names],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  const installed = new Set(
    new TextDecoder().decode(out?.stdout ?? new Uint8Array()).split("\n")
      .filter((line) => line.endsWith(" installed")).map((line) => line.split(" ")[0]),
  );
  return names.filter((name) => !installed.has(name));
}

/** The folders of a pretend image. */
export interface ImageLayout {
  /** Everything lives below this temporary folder. */
  top: string;
  /** The notebook user's home (`/home/jovyan`). */
  home: string;
  /** Where the repository is copied (`--target-repo-dir`, or the home folder). */
  repoDir: string;
  /** The image's Python environment (`$NB_PYTHON_PREFIX`, also `$KERNEL_PYTHON_PREFIX`). */
  python: string;
  /** Where global npm installs go (`$NPM_DIR`). */
  npmDir: string;
  /** The environment every step runs with. */
  env: Record<string, string>;
}

/** Outcome of one build step. */
export interface StepResult {
  code: number;
  stdout: string;
  /** stdout and stderr, for messages. */
  output: string;
}

/** Run a command with the image's environment, capturing stdout and stderr together. */
export async function inImage(
  image: ImageLayout,
  cmd: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<StepResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? image.repoDir,
    clearEnv: true,
    env: image.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
  }).spawn();
  const [status, out, err] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, stdout: out, output: out + err };
}

/** The files of this checkout that a clone would have: tracked and not-ignored new ones. */
export function repositoryFiles(): string[] {
  const out = new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).outputSync();
  return new TextDecoder().decode(out.stdout).split("\0").filter((path) => {
    if (!path) return false;
    try {
      return Deno.lstatSync(`${ROOT}/${path}`).isFile; // a deleted file is still "cached"
    } catch {
      return false;
    }
  });
}

/** Copy the repository's files (see {@linkcode repositoryFiles}) into `target`. */
export async function copyRepository(target: string): Promise<void> {
  for (const path of repositoryFiles()) {
    const file = `${target}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${ROOT}/${path}`, file);
  }
}

/**
 * Lay out a pretend image in a new temporary folder: the repository copied to `repoDir`,
 * an empty home, a fresh venv as the image's Python environment, npm's global prefix set
 * as repo2docker sets it. `marker` goes into every step's environment, so whatever the
 * steps start can be found afterwards.
 */
export async function layOutImage(
  marker: string,
  options: { repoDir?: "home" | "srv" } = {},
): Promise<ImageLayout> {
  const top = await Deno.makeTempDir({ prefix: "repo2docker_" });
  const home = `${top}/home/jovyan`;
  const repoDir = options.repoDir === "home" ? home : `${top}/srv/course`;
  const python = `${top}/srv/conda/envs/notebook`;
  const npmDir = `${top}/srv/npm`;
  for (const dir of [home, repoDir, npmDir]) await Deno.mkdir(dir, { recursive: true });
  await copyRepository(repoDir);
  const venv = await new Deno.Command(findPython(), { args: ["-m", "venv", python] }).output();
  if (!venv.success) {
    throw new Error(`Cannot create the venv: ${new TextDecoder().decode(venv.stderr)}`);
  }

  // Reuse this machine's download caches and its registry settings for pip (never its
  // home folder): the image is built fresh, the downloads need not be.
  const pipCache = await new Deno.Command(`${python}/bin/python`, {
    args: ["-m", "pip", "cache", "dir"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (/^(PIP_|(HTTPS?|NO)_PROXY$|(https?|no)_proxy$|CI$)/.test(name)) passed[name] = value;
  }
  const realHome = Deno.env.get("HOME") ?? "/tmp";
  // The CA file this machine's npm trusts (the image would trust Ubuntu's).
  const cafile = new TextDecoder().decode(
    (await new Deno.Command("npm", {
      args: ["config", "get", "cafile"],
      stdout: "piped",
      stderr: "null",
    })
      .output()).stdout,
  ).trim();
  const env: Record<string, string> = {
    ...passed,
    HOME: home,
    USER: "jovyan",
    NB_USER: "jovyan",
    SHELL: "/bin/bash",
    LANG: "C.UTF-8",
    REPO_DIR: repoDir,
    APP_BASE: `${top}/srv`,
    NB_PYTHON_PREFIX: python,
    KERNEL_PYTHON_PREFIX: python,
    NPM_DIR: npmDir,
    NPM_CONFIG_GLOBALCONFIG: `${npmDir}/npmrc`,
    // repo2docker puts $NPM_DIR/bin last on PATH; here it comes before the system folders,
    // because this machine has a Deno in /usr/bin that the image does not have.
    PATH: [
      `${home}/.local/bin`,
      `${repoDir}/.local/bin`,
      `${python}/bin`,
      `${npmDir}/bin`,
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ].join(":"),
    PIP_CACHE_DIR: new TextDecoder().decode(pipCache.stdout).trim() || `${realHome}/.cache/pip`,
    npm_config_cache: `${realHome}/.npm`,
    ...(cafile.startsWith("/") ? { npm_config_cafile: cafile } : {}),
    [marker.split("=")[0]]: marker.split("=")[1],
  };
  const image = { top, home, repoDir, python, npmDir, env };
  // repo2docker's install-base-env.bash: `npm config --global set prefix ${NPM_DIR}`
  const npmrc = await inImage(image, "npm", ["config", "--global", "set", "prefix", npmDir]);
  if (npmrc.code !== 0) throw new Error(`Cannot set npm's prefix: ${npmrc.output}`);
  return image;
}

/**
 * `pip install -r binder/requirements.txt`, as repo2docker runs it, but quicker: with pip's
 * download cache, and without compiling every module to bytecode ahead of use.
 */
export function installRequirements(image: ImageLayout): Promise<StepResult> {
  return inImage(image, `${image.python}/bin/pip`, [
    "install",
    "--disable-pip-version-check",
    "--no-compile",
    "-r",
    "binder/requirements.txt",
  ]);
}

/** `chmod +x binder/postBuild && ./binder/postBuild`, in the repository's folder. */
export async function runPostBuild(image: ImageLayout): Promise<StepResult> {
  await Deno.chmod(`${image.repoDir}/binder/postBuild`, 0o755);
  return inImage(image, `${image.repoDir}/binder/postBuild`, []);
}
