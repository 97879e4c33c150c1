/**
 * `deno task start`, the README's first command, as a learner runs it: JupyterLab comes up
 * on 127.0.0.1 and answers on the URL it prints, a second start installs nothing, Ctrl-C
 * or SIGTERM stops everything, and a machine without Python gets a clear message.
 */
import assert from "node:assert/strict";
import { processesWith, waitForPort } from "../lib/daemon/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";
import { ensureVenv, VENV } from "../tools/venv.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("deno task start serves the course on 127.0.0.1, installs nothing twice, stops on SIGTERM", async () => {
  await ensureVenv({ quiet: true }); // the first start; what follows is the second
  const stamp = `${VENV}/.course-requirements.sha256`;
  const stampBefore = (await Deno.stat(stamp)).mtime?.getTime();
  const temp = await Deno.makeTempDir({ prefix: "start_test_" });
  const marker = `COURSE_START_TEST=${crypto.randomUUID()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--port=0"],
    cwd: ROOT,
    env: {
      [marker.split("=")[0]]: marker.split("=")[1],
      // Keep JupyterLab's runtime and config files out of the home folder.
      JUPYTER_RUNTIME_DIR: `${temp}/runtime`,
      JUPYTER_CONFIG_DIR: `${temp}/config`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const printed: string[] = [];
  const url = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      printed.push(text);
      const found = printed.join("").match(/http:\/\/127\.0\.0\.1:\d+\/lab\S*\?token=\w+/);
      if (found) url.resolve(found[0]);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) => url.reject(new Error(`deno task start exited with ${s.code}`)));
  try {
    const address = new URL(await withTimeout(url.promise, 90_000, "JupyterLab's URL"));
    assert.equal(address.hostname, "127.0.0.1");
    assert.match(address.pathname, /\/lab\/tree\/notebooks\/00_welcome\.ipynb$/);
    const token = address.searchParams.get("token");
    // jupyter_server prints its URL, then binds the port on its next event-loop turn.
    await waitForPort(Number(address.port), { exited: child.status, timeoutMs: 30_000 });
    const status = await fetch(new URL("/api/status", address), {
      headers: { Authorization: `token ${token}` },
    });
    assert.equal(status.status, 200, "JupyterLab answers on the printed URL");
    await status.body?.cancel();
    const kernels = await fetch(new URL("/api/kernelspecs", address), {
      headers: { Authorization: `token ${token}` },
    }).then((r) => r.json());
    assert.ok(kernels.kernelspecs.deno, "the Deno kernel is registered");
  } finally {
    child.kill("SIGTERM");
    await withTimeout(child.status, 30_000, "deno task start to stop on SIGTERM");
    await pumps;
    await Deno.remove(temp, { recursive: true });
  }
  const output = printed.join("");
  assert.doesNotMatch(output, /Creating|Installing/, "a second start installs nothing");
  assert.equal((await Deno.stat(stamp)).mtime?.getTime(), stampBefore);
  assert.deepEqual(await processesWith(marker), [], "nothing of JupyterLab is left running");
});

Deno.test("without Python, preparing JupyterLab says what is missing and how to install it", async () => {
  const probe = `import { findPython } from "${ROOT}/tools/venv.ts";
try { findPython(); console.log("found"); } catch (e) { console.log(e.message); }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", probe],
    clearEnv: true,
    env: { PATH: "/nonexistent", HOME: Deno.env.get("HOME") ?? "/tmp", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /Cannot prepare JupyterLab: Python 3\.9 or newer was not found/);
  assert.match(text, /apt-get install python3 python3-venv/);
});
