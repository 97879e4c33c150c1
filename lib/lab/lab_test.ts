import assert from "node:assert/strict";
import { MailStore } from "../maildir/mod.ts";
import { AuthThrottle, connectLoopback, LineReader, serveLoopback, writeAll } from "../net/mod.ts";
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

Deno.test("startLab(): one password policy for its three servers, so failures add up across them", async () => {
  const folder = await Deno.makeTempDir({ prefix: "lab-" });
  const delays: number[] = [];
  const authThrottle = new AuthThrottle({ firstDelayMs: 1, onDelay: (_, ms) => delays.push(ms) });
  try {
    await using lab = await startLab({
      folder,
      users: new Map([["alice", "pw"]]),
      ports: { smtp: 0, pop3: 0, imap: 0 },
      authThrottle,
    });
    const port = (name: string) => lab.listening.find((l) => l.name === name)!.port;
    /** Send `text`, read lines until one starts with `last`. */
    const exchange = async (name: string, text: string, last: RegExp) => {
      using conn = await connectLoopback(port(name));
      const reader = new LineReader(conn, { idleTimeoutMs: 5000 });
      await writeAll(conn, new TextEncoder().encode(text));
      for (let line = await reader.readLine(); line; line = await reader.readLine()) {
        if (last.test(line.text)) return line.text;
      }
      throw new Error(`${name} closed before ${last}`);
    };
    const guess = btoa("\0alice\0guess");
    assert.equal(
      await exchange("smtp", `EHLO pc\r\nAUTH PLAIN ${guess}\r\n`, /^535 /),
      "535 5.7.8 Authentication credentials invalid",
    );
    assert.equal(
      await exchange("pop3", "USER alice\r\nPASS guess\r\n", /^-ERR/),
      "-ERR [AUTH] Invalid user name or password",
    );
    assert.equal(
      await exchange("imap", "a1 LOGIN alice guess\r\n", /^a1 /),
      "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password",
    );
    assert.deepEqual(delays, [1, 2, 4]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
