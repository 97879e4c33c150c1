/**
 * `deno task start`: prepare JupyterLab (once), register the Deno kernel, and open the
 * course's notebooks on 127.0.0.1. Headless-friendly: no browser is opened; the URL is
 * printed. Extra arguments go to JupyterLab (e.g. `--port 9999`).
 *
 * @module
 */

import { ensureVenv, VENV } from "./venv.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

try {
  await ensureVenv();
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(1);
}

console.error("Starting JupyterLab on 127.0.0.1; open the URL printed below (Ctrl-C stops it).");
const lab = new Deno.Command(`${VENV}/bin/jupyter`, {
  args: [
    "lab",
    "--ip=127.0.0.1",
    "--no-browser",
    `--ServerApp.root_dir=${ROOT}`,
    "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb",
    // Jupyter refuses to run as root unless told; containers and CI machines often are root.
    ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ...Deno.args,
  ],
  cwd: ROOT,
  env: { JUPYTER_PREFER_ENV_PATH: "1" },
  stdin: "null",
}).spawn();

// Pass Ctrl-C and termination on to JupyterLab, which then shuts its kernels down.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      // SIGTERM: JupyterLab shuts down at once (on SIGINT it would ask for confirmation on stdin).
      lab.kill("SIGTERM");
    } catch {
      // already gone
    }
  });
}
const status = await lab.status;
Deno.exit(status.code);
