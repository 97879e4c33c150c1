import assert from "node:assert/strict";
import { closeValue, keep, keptNames, release, releaseAll } from "./kept.ts";
import { sweepEndedKernels } from "./temp_dirs.ts";
import { serveLoopback } from "../net/loopback.ts";

const refused = (port: number) =>
  Deno.connect({ hostname: "127.0.0.1", port }).then((c) => (c.close(), false), () => true);

Deno.test("keep() closes what the last run kept under the name before opening the new one", async () => {
  const first = await keep("t server", () => serveLoopback(() => {}));
  let firstOpenWhileOpening = true;
  const second = await keep("t server", async () => {
    firstOpenWhileOpening = !(await refused(first.port));
    return serveLoopback(() => {});
  });
  assert.equal(firstOpenWhileOpening, false, "the first server still listened");
  assert.equal(await refused(second.port), false);
  assert.deepEqual(keptNames(), ["t server"]);
  await release("t server");
  assert.equal(await refused(second.port), true);
  assert.deepEqual(keptNames(), []);
});

Deno.test("closeValue() closes groups last first, and every member even when one fails", async () => {
  const closed: string[] = [];
  const closer = (name: string, fail = false) => ({
    close() {
      closed.push(name);
      if (fail) throw new Error(`${name} failed`);
    },
  });
  await assert.rejects(
    closeValue({
      a: closer("a"),
      b: [closer("b1"), closer("b2", true)],
      c: { [Symbol.dispose]: () => void closed.push("c") },
      d: { [Symbol.asyncDispose]: () => Promise.resolve(void closed.push("d")) },
      data: new Map([["not", "closable"]]),
      count: 3,
    }),
    /b2 failed/,
  );
  assert.deepEqual(closed, ["d", "c", "b2", "b1", "a"]);
  await assert.rejects(closeValue(new Map() as never), TypeError);
});

Deno.test("releaseAll() closes everything kept, newest first", async () => {
  const closed: string[] = [];
  await keep("t one", () => ({ close: () => void closed.push("one") }));
  await keep("t two", () => ({ close: () => void closed.push("two") }));
  await releaseAll();
  assert.deepEqual(closed, ["two", "one"]);
  assert.deepEqual(keptNames(), []);
});

/** A Deno process that makes its kernel folder and a temp folder under `root`, then waits. */
async function startKernelLike(root: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { makeTempFolder } from ${
        JSON.stringify(new URL("./temp_dirs.ts", import.meta.url).href)
      };
       const folder = await makeTempFolder("maildir-");
       console.log(folder.path);
       for await (const _ of Deno.stdin.readable) { /* wait until stdin closes */ }`,
    ],
    env: { COURSE_TEMP_ROOT: root, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the child ended before it made its folder");
    text += value;
  }
  reader.releaseLock();
  return { child, folder: text.trim(), kernel: `${root}/kernel-${child.pid}` };
}

Deno.test("a kernel's folder is swept once its process has ended, however it ended", async () => {
  const root = await Deno.makeTempDir({ prefix: "lifetime_test_" });
  try {
    const running = await startKernelLike(root);
    const killed = await startKernelLike(root);
    const exited = await startKernelLike(root);
    assert.ok(Deno.statSync(running.folder).isDirectory);
    assert.ok(running.folder.startsWith(`${running.kernel}/maildir-`));

    killed.child.kill("SIGKILL");
    await killed.child.status;
    await exited.child.stdin.close();
    await exited.child.status;
    // A folder without a lock, as a kernel leaves it when killed while setting up.
    const fresh = `${root}/kernel-999999999`;
    Deno.mkdirSync(fresh);

    assert.deepEqual(
      sweepEndedKernels(root).sort(),
      [killed.kernel, exited.kernel].sort(),
      "only the ended kernels' folders go",
    );
    assert.ok(Deno.statSync(running.folder).isDirectory, "the running kernel keeps its folder");
    assert.ok(Deno.statSync(fresh).isDirectory, "a folder just being set up is left alone");
    Deno.utimeSync(fresh, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    assert.deepEqual(sweepEndedKernels(root), [fresh]);

    await running.child.stdin.close();
    await running.child.status;
    await running.child.stdout.cancel();
    await killed.child.stdout.cancel();
    await exited.child.stdout.cancel();
    assert.deepEqual(sweepEndedKernels(root), [running.kernel]);
    assert.deepEqual([...Deno.readDirSync(root)], []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
