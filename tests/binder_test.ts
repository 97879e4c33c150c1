/**
 * The class setup in `binder/` and `deploy/jupyterhub/`, installed the way repo2docker builds
 * the image (tests/repo2docker.ts: a fresh venv for the image's Python, a temporary home),
 * then used the way a hub uses it: the Jupyter server from that environment lists the
 * course's kernel, an nbgitpuller link puts the course into the learner's home folder, and
 * every chapter runs from there in the kernel that postBuild registered.
 *
 * Docker is not needed and not used, so what Docker alone does is not covered: Ubuntu's
 * apt-get run from apt.txt (checked instead: every package is installed here, and under
 * CI=true .ci/run installs them from that file), and repo2docker's conda base environment
 * (replaced by a venv of this machine's Python).
 */
import assert from "node:assert/strict";
import { processesWith, waitForPort } from "../lib/daemon/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";
import { chapterLink, defaultFolder } from "../deploy/jupyterhub/links.ts";
import { notebookPaths } from "../tools/notebooks/notebooks.ts";
import type { RunReport } from "../tools/notebooks/runner.ts";
import {
  aptPackages,
  copyRepository,
  type ImageLayout,
  inImage,
  installRequirements,
  layOutImage,
  missingPackages,
  REPO2DOCKER_FILES,
  runPostBuild,
} from "./repo2docker.ts";
import { requireTool } from "./tools.ts";
import { ensureVenv, VENV_PYTHON } from "../tools/venv.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const BINDER = `${ROOT}/binder`;
const COURSE_REPO = "email-on-the-wire";

Deno.test("binder/ holds only files repo2docker reads, and postBuild is a bash script that stops on errors", () => {
  assert.throws(() => Deno.statSync(`${ROOT}/.binder`), "binder/ and .binder/ exclude each other");
  const files = [...Deno.readDirSync(BINDER)].map((entry) => entry.name).sort();
  for (const name of files) {
    assert.ok(REPO2DOCKER_FILES.includes(name), `repo2docker ignores binder/${name}`);
  }
  const postBuild = Deno.readTextFileSync(`${BINDER}/postBuild`);
  assert.match(postBuild, /^#!\/bin\/bash\n/);
  assert.match(postBuild, /^set -euo pipefail$/m, "repo2docker does not stop on a failing line");
  assert.match(
    Deno.readTextFileSync(`${BINDER}/requirements.txt`),
    /^-r \.\.\/requirements\.txt$/m,
  );
  const runtime = Deno.readTextFileSync(`${BINDER}/runtime.txt`).trim();
  assert.match(runtime, /^python-3\.\d+$/);
});

Deno.test({
  name: "the packages of apt.txt are installed (the image's apt-get step)",
  ...requireTool("dpkg-query"),
  fn: async () => {
    const names = aptPackages(Deno.readTextFileSync(`${BINDER}/apt.txt`));
    assert.ok(names.includes("postfix") && names.includes("curl"));
    const missing = await missingPackages(names);
    if (missing.length && Deno.env.get("CI") !== "true") {
      console.error(`NOTICE: apt.txt packages not installed here: ${missing.join(", ")}`);
      return;
    }
    assert.deepEqual(missing, [], "every package of apt.txt is installed (.ci/run installs them)");
  },
});

Deno.test("deploy/jupyterhub/config.yaml passes the chart's own schema check, and a misspelt key does not", async () => {
  await ensureVenv({ quiet: true });
  const check = (path: string) =>
    new Deno.Command(VENV_PYTHON, {
      args: [`${ROOT}/deploy/jupyterhub/check_config.py`, path],
      stdout: "piped",
      stderr: "piped",
    }).output().then((out) => ({
      code: out.code,
      text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
    }));
  const good = await check(`${ROOT}/deploy/jupyterhub/config.yaml`);
  assert.equal(good.text.trim(), "ok");
  assert.equal(good.code, 0);
  const temp = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    const config = await Deno.readTextFile(`${ROOT}/deploy/jupyterhub/config.yaml`);
    await Deno.writeTextFile(temp, config.replace("\n  defaultUrl:", "\n  defaultURL:"));
    const bad = await check(temp);
    assert.equal(bad.code, 1);
    assert.match(
      bad.text,
      /^singleuser: Additional properties are not allowed \('defaultURL' was unexpected\)/m,
    );
  } finally {
    await Deno.remove(temp);
  }
});

/** A Jupyter server from the image's environment, with the learner's home as its root. */
async function startServer(image: ImageLayout, env: Record<string, string> = {}) {
  const token = crypto.randomUUID().replaceAll("-", "");
  const child = new Deno.Command(`${image.python}/bin/jupyter`, {
    args: [
      "lab",
      "--ip=127.0.0.1",
      "--port=0",
      "--port-retries=0",
      "--no-browser",
      `--ServerApp.root_dir=${image.home}`,
      `--IdentityProvider.token=${token}`,
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    cwd: image.home,
    clearEnv: true,
    env: { ...image.env, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const listening = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      log.push(text);
      const url = log.join("").match(/http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=/);
      if (url) listening.resolve(`http://127.0.0.1:${url[1]}`);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) => listening.reject(new Error(`the server exited with ${s.code}`)));
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await withTimeout(child.status, 20_000, "stop the Jupyter server");
    await pumps;
  };
  try {
    const base = await withTimeout(listening.promise, 90_000, "the Jupyter server's URL");
    // The server prints its URL before it listens (it binds port 0 once to learn a free port,
    // lets go, and binds again later): wait until it accepts connections.
    await waitForPort(Number(new URL(base).port), { exited: child.status, timeoutMs: 30_000 });
    return { base, headers: { Authorization: `token ${token}` }, stop, log };
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(`${(error as Error).message}\n${log.join("").slice(-3000)}`);
  }
}

/** Read nbgitpuller's event stream to its last event. */
async function pullEvents(response: Response): Promise<{ phase: string; message?: string }[]> {
  const text = await response.text();
  return text.split("\n").filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)));
}

Deno.test({
  name:
    "built as repo2docker builds it, the image serves the course's kernel, nbgitpuller hands the course out, and every chapter runs",
  ...requireTool("npm", "git", "node"),
  sanitizeResources: false, // the server's pipes are read to the end in stop()
  fn: async (t) => {
    const marker = `COURSE_BINDER_TEST=${crypto.randomUUID()}`;
    const image = await layOutImage(marker);
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    let registered: unknown;
    try {
      await t.step("pip installs binder/requirements.txt, and the pins agree", async () => {
        const install = await installRequirements(image);
        assert.equal(install.code, 0, install.output.slice(-3000));
        const check = await inImage(image, `${image.python}/bin/python`, ["-m", "pip", "check"]);
        assert.equal(check.code, 0, check.output);
      });

      await t.step(
        "postBuild installs Deno 2.9.6 from npm and registers the course's kernel in the image's environment",
        async () => {
          const build = await runPostBuild(image);
          assert.equal(build.code, 0, build.output.slice(-3000));
          const version = await inImage(image, "deno", ["--version"]);
          assert.match(version.output, /^deno 2\.9\.6 /);
          const which = await inImage(image, "bash", ["-c", "command -v deno"]);
          assert.equal(which.output.trim(), `${image.npmDir}/bin/deno`);
          const list = await inImage(image, `${image.python}/bin/jupyter`, [
            "kernelspec",
            "list",
            "--json",
          ]);
          assert.equal(list.code, 0, list.output);
          const deno = JSON.parse(list.stdout).kernelspecs.deno;
          registered = deno?.spec;
          assert.ok(deno, `no deno kernel among ${list.output}`);
          assert.equal(deno.resource_dir, `${image.python}/share/jupyter/kernels/deno`);
          const spec = JSON.stringify(deno.spec);
          assert.ok(
            spec.includes(`${image.npmDir}/lib/node_modules/deno/`),
            `the kernel runs npm's Deno: ${spec}`,
          );
          assert.ok(!spec.includes(`${ROOT}/`), `the kernel depends on this checkout: ${spec}`);
          for (const arg of deno.spec.argv.filter((a: string) => a.startsWith("/"))) {
            assert.ok(arg.startsWith(`${image.top}/`), `the kernel runs ${arg}, outside the image`);
          }
        },
      );

      await t.step(
        "the server lists and starts the kernel, culls idle kernels as config.yaml says, and an nbgitpuller link clones the course into the learner's home",
        async () => {
          // The course as a git repository that the hub can reach.
          const origin = `${image.top}/origin/${COURSE_REPO}`;
          await Deno.mkdir(origin, { recursive: true });
          const git = (...args: string[]) =>
            inImage(image, "git", [
              "-c",
              "user.name=Teacher",
              "-c",
              "user.email=teacher@localhost",
              ...args,
            ], {
              cwd: origin,
            });
          await copyRepository(origin);
          for (
            const args of [["init", "-q", "-b", "main"], ["add", "-A"], [
              "commit",
              "-q",
              "-m",
              "course",
            ]]
          ) {
            const step = await git(...args);
            assert.equal(step.code, 0, step.output);
          }

          // The hub mounts config.yaml's extraFiles into the pod; here its folder is put first
          // on the server's config path instead.
          const extra = await inImage(image, `${image.python}/bin/python`, [
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))['singleuser']['extraFiles']))",
            `${ROOT}/deploy/jupyterhub/config.yaml`,
          ]);
          assert.equal(extra.code, 0, extra.output);
          const culling = JSON.parse(extra.stdout)["kernel-culling"];
          const mountDir = culling.mountPath.slice(0, culling.mountPath.lastIndexOf("/"));
          const paths = await inImage(image, `${image.python}/bin/jupyter`, ["--paths", "--json"]);
          assert.ok(
            JSON.parse(paths.stdout).config.includes(mountDir),
            `the server reads ${mountDir}`,
          );
          await Deno.mkdir(`${image.top}${mountDir}`, { recursive: true });
          await Deno.writeTextFile(
            `${image.top}${culling.mountPath}`,
            JSON.stringify(culling.data),
          );

          server = await startServer(image, { JUPYTER_CONFIG_PATH: `${image.top}${mountDir}` });
          const specs = await fetch(`${server.base}/api/kernelspecs`, { headers: server.headers })
            .then((r) => r.json());
          assert.deepEqual(
            specs.kernelspecs.deno?.spec,
            registered,
            "the server offers that kernel",
          );

          // The server starts the registered kernel, and culls idle kernels as config.yaml says.
          const started = await fetch(`${server.base}/api/kernels`, {
            method: "POST",
            headers: server.headers,
            body: JSON.stringify({ name: "deno" }),
          });
          assert.equal(started.status, 201);
          const kernel = await started.json();
          const { cull_idle_timeout, cull_interval } = culling.data.MappingKernelManager;
          const culls =
            `Culling kernels with idle durations > ${cull_idle_timeout} seconds at ${cull_interval} second intervals`;
          const until = Date.now() + 30_000;
          while (!server.log.join("").includes(culls) && Date.now() < until) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          assert.ok(server.log.join("").includes(culls), server.log.join("").slice(-3000));
          assert.match(server.log.join(""), /Culling kernels even with connected clients/);
          const stopped = await fetch(`${server.base}/api/kernels/${kernel.id}`, {
            method: "DELETE",
            headers: server.headers,
          });
          assert.equal(stopped.status, 204);
          await stopped.body?.cancel();

          const link = new URL(chapterLink("notebooks/00_welcome.ipynb", {
            hub: "https://hub.example.edu",
            repo: origin,
            branch: "main",
          }));
          // On a hub, /hub/user-redirect/ leads to the learner's own server; here that is base.
          assert.equal(link.pathname, "/hub/user-redirect/git-pull");
          const page = await fetch(`${server.base}/git-pull${link.search}`, {
            headers: server.headers,
          });
          assert.equal(page.status, 200, "nbgitpuller's page answers the link");
          await page.body?.cancel();
          const pulled = await pullEvents(
            await fetch(`${server.base}/git-pull/api${link.search}`, { headers: server.headers }),
          );
          assert.equal(pulled.at(-1)?.phase, "finished", JSON.stringify(pulled.at(-1)));
          const folder = `${image.home}/${defaultFolder(origin)}`;
          assert.equal(folder, `${image.home}/${COURSE_REPO}`);
          const urlpath = link.searchParams.get("urlpath")!;
          assert.ok(Deno.statSync(`${image.home}/${urlpath.replace(/^lab\/tree\//, "")}`).isFile);
        },
      );

      await t.step(
        "every chapter runs from the learner's copy in the kernel postBuild registered",
        async () => {
          const chapters = notebookPaths([]).map((path) =>
            path.replace(`${ROOT}/`, `${image.home}/${COURSE_REPO}/`)
          );
          const run = await inImage(
            image,
            `${image.python}/bin/python`,
            [`${image.repoDir}/tools/notebooks/run_notebooks.py`, ...chapters],
            { cwd: image.home },
          );
          assert.ok(run.stdout.startsWith("["), run.output.slice(-3000));
          const reports: RunReport[] = JSON.parse(run.stdout);
          assert.equal(reports.length, chapters.length);
          for (const report of reports) {
            assert.ok(report.ok, `${report.notebook}: ${report.problems.join("; ")}`);
          }
        },
      );
    } finally {
      await server?.stop();
      const until = Date.now() + 10_000;
      let left = await processesWith(marker);
      while (left.length && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await processesWith(marker);
      }
      for (const pid of left) Deno.kill(pid, "SIGKILL");
      await Deno.remove(image.top, { recursive: true });
      assert.deepEqual(left, [], "nothing started in the image is left running");
    }
  },
});
