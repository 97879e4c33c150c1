/**
 * tools/lab.ts as a learner runs it: start, read what it prints, send mail with a real
 * client, stop with SIGINT or SIGTERM, find the mail in Maildir.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";
import { sendMail } from "../lib/smtp/mod.ts";

async function runLab(signal: Deno.Signal) {
  const folder = await Deno.makeTempDir({ prefix: "lab-tool-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../tools/lab.ts", import.meta.url).pathname,
      "--folder",
      folder,
      "--smtp-port",
      "0",
      "--user",
      "ann:pw",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  try {
    // Wait for the "ready" line: the event that says the servers listen.
    await withTimeout(
      (async () => {
        while (!printed.includes("Lab ready")) {
          const { value, done } = await lines.read();
          if (done) throw new Error(`lab exited early: ${printed}`);
          printed += value;
        }
      })(),
      20_000,
      "the lab to print that it is ready",
    );
    const port = Number(/SMTP\s+listening on 127\.0\.0\.1:(\d+)/.exec(printed)?.[1]);
    assert.ok(port > 0, printed);
    await sendMail({
      port,
      from: "x@pc.test",
      to: ["ann@localhost"],
      data: "Subject: lab\r\n\r\nhello\r\n",
    });
    child.kill(signal);
    const [status, rest] = await withTimeout(
      Promise.all([
        child.status,
        (async () => {
          let out = "";
          while (true) {
            const { value, done } = await lines.read();
            if (done) return out;
            out += value;
          }
        })(),
      ]),
      10_000,
      "the lab to stop",
    );
    assert.equal(status.code, 0);
    assert.match(rest, new RegExp(`Stopped on ${signal}`));
    const box = await new MailStore(folder).mailbox("ann");
    assert.equal((await box.list()).length, 1);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await child.stderr.cancel();
    lines.releaseLock();
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("tools/lab.ts serves SMTP and stops cleanly on SIGTERM", () => runLab("SIGTERM"));
Deno.test("tools/lab.ts stops cleanly on SIGINT (Ctrl-C)", () => runLab("SIGINT"));

Deno.test("tools/lab.ts explains a bad flag and exits 2", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../tools/lab.ts", import.meta.url).pathname, "--user", "nopass"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /Bad --user "nopass": write name:password/);
});
