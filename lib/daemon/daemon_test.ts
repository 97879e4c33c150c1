import assert from "node:assert/strict";
import { freePort, processesWith, startDaemon, waitForPort } from "./daemon.ts";

/**
 * A pretend daemon: listens on argv[1], starts a helper that ignores its parent's death
 * (as a forked worker may), writes the helper's pid to argv[2], and serves until SIGTERM.
 */
const DAEMON = `
import signal, socket, subprocess, sys
helper = subprocess.Popen(["sleep", "300"])
open(sys.argv[2], "w").write(str(helper.pid))
server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    server.accept()[0].close()
`;

Deno.test("startDaemon() waits for the port, and stop() leaves no process behind", async () => {
  const dir = await Deno.makeTempDir();
  const marker = `COURSE_DAEMON_TEST=${crypto.randomUUID()}`;
  const [key, value] = marker.split("=");
  try {
    const port = freePort();
    const daemon = await startDaemon({
      name: "pretend daemon",
      argv: ["python3", "-c", DAEMON, String(port), `${dir}/helper.pid`],
      env: { [key]: value },
      port,
      readLog: () => Promise.resolve(""),
    });
    const helper = Number(await Deno.readTextFile(`${dir}/helper.pid`));
    const running = await processesWith(marker);
    assert.ok(running.includes(helper), `the helper ${helper} runs among ${running}`);
    assert.ok(running.length >= 3, "supervisor, daemon and helper");

    await daemon.stop();
    assert.deepEqual(await processesWith(marker), [], "every process is gone, the helper too");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startDaemon() reports a daemon that dies before listening, with its stderr", async () => {
  await assert.rejects(
    startDaemon({
      name: "broken daemon",
      argv: ["python3", "-c", "import sys; sys.exit('bad config on line 3')"],
      port: freePort(),
      readLog: () => Promise.resolve("log: giving up"),
    }),
    /^Error: Cannot start broken daemon: it exited before listening on \d+\nbad config on line 3\n+log: giving up$/,
  );
});

Deno.test("waitForPort() gives up at its deadline when nothing listens", async () => {
  const port = freePort();
  await assert.rejects(
    waitForPort(port, { timeoutMs: 100 }),
    new RegExp(`nothing listens on 127\\.0\\.0\\.1:${port} after 100 ms`),
  );
});
