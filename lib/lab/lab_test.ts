import assert from "node:assert/strict";
import { MailStore } from "../maildir/mod.ts";
import { serveLoopback } from "../net/mod.ts";
import { sendMail } from "../smtp/mod.ts";
import { startLab } from "./lab.ts";
import type { LabService } from "./services.ts";

Deno.test("startLab() serves SMTP into the Maildir folder and describes itself", async () => {
  const folder = await Deno.makeTempDir({ prefix: "lab-" });
  try {
    {
      await using lab = await startLab({
        folder,
        users: new Map([["alice", "pw"]]),
        ports: { smtp: 0 },
      });
      const smtp = lab.listening.find((l) => l.name === "smtp")!;
      assert.match(lab.describe(), new RegExp(`SMTP  listening on 127\\.0\\.0\\.1:${smtp.port}`));
      assert.match(lab.describe(), /alice@localhost/);
      await sendMail({
        port: smtp.port,
        from: "x@pc.test",
        to: ["alice@localhost"],
        data: "Subject: lab\r\n\r\nhi\r\n",
      });
    }
    const box = await new MailStore(folder).mailbox("alice");
    assert.equal((await box.list()).length, 1);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("startLab() plugs in another service and closes the started ones when one fails", async () => {
  const folder = await Deno.makeTempDir({ prefix: "lab-" });
  try {
    const echo: LabService = {
      name: "echo",
      description: "a test service",
      defaultPort: 0,
      start: (_c, port) => serveLoopback(() => {}, { port }),
    };
    await using taken = serveLoopback(() => {});
    const broken: LabService = { ...echo, name: "broken", defaultPort: taken.port };
    await assert.rejects(
      startLab({ folder, users: new Map(), services: [echo, broken] }),
      new RegExp(
        `Cannot start the broken server on 127\\.0\\.0\\.1:${taken.port}: the port is in use`,
      ),
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("startLab() removes tmp/ files older than 36 hours before serving", async () => {
  const folder = await Deno.makeTempDir({ prefix: "lab-" });
  try {
    const box = await new MailStore(folder).mailbox("alice");
    const planted = `${box.root}/tmp/1700000000.M1P1Q1.crashed`;
    await Deno.writeTextFile(planted, "Subject: half");
    const then = new Date(Date.now() - 40 * 3600 * 1000);
    await Deno.utime(planted, then, then);
    await Deno.writeTextFile(`${box.root}/tmp/in-progress`, "Subject: new");
    {
      await using _lab = await startLab({
        folder,
        users: new Map([["alice", "pw"]]),
        ports: {
          smtp: 0,
          pop3: 0,
          imap: 0,
        },
      });
      const left = (await Array.fromAsync(Deno.readDir(`${box.root}/tmp`))).map((e) => e.name);
      assert.deepEqual(left, ["in-progress"]);
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
