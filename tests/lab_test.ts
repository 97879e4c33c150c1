/**
 * tools/lab.ts as a learner runs it: start, read what it prints, send mail, fetch it back
 * with curl over POP3 and IMAP, stop with SIGINT or SIGTERM, find the mail in Maildir.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { withTimeout } from "../lib/net/mod.ts";
import { sendMail } from "../lib/smtp/mod.ts";
import { requireTool, run, tool } from "./tools.ts";

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
      "--pop3-port",
      "0",
      "--imap-port",
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
    const portOf = (name: string) => {
      const port = Number(
        new RegExp(`${name}\\s+listening on 127\\.0\\.0\\.1:(\\d+)`).exec(printed)?.[1],
      );
      assert.ok(port > 0, `no ${name} port in: ${printed}`);
      return port;
    };
    await sendMail({
      port: portOf("SMTP"),
      from: "x@pc.test",
      to: ["ann@localhost"],
      data: "Subject: lab\r\n\r\nhello\r\n",
    });
    // What a new user would do next: read it with an ordinary client.
    const curl = (url: string) =>
      run(tool("curl"), ["-sS", "--max-time", "10", "-u", "ann:pw", url]);
    const pop3 = await curl(`pop3://127.0.0.1:${portOf("POP3")}/1`);
    assert.match(pop3.stdout, /Subject: lab\r\n\r\nhello/, pop3.stderr);
    const imap = await curl(`imap://127.0.0.1:${portOf("IMAP")}/INBOX;UID=1`);
    assert.match(imap.stdout, /Subject: lab\r\n\r\nhello/, imap.stderr);
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

Deno.test({
  name: "tools/lab.ts serves SMTP, POP3 and IMAP and stops cleanly on SIGTERM",
  ...requireTool("curl"),
  fn: () => runLab("SIGTERM"),
});
Deno.test({
  name: "tools/lab.ts stops cleanly on SIGINT (Ctrl-C)",
  ...requireTool("curl"),
  fn: () => runLab("SIGINT"),
});

Deno.test("tools/lab.ts explains a bad flag and exits 2", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../tools/lab.ts", import.meta.url).pathname, "--user", "nopass"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /Bad --user "nopass": write name:password/);
});
