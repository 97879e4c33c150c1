/**
 * "250 means stored": the lab is killed with SIGKILL while eight clients deliver to it,
 * many times over. After every kill, every message that got its 250 is in the Maildir,
 * whole, exactly once; nothing partial is ever visible in new/ or cur/ (a message the
 * server stored but could not acknowledge may be there, but only whole); and the lab
 * starts again on the same folder and serves what was kept.
 *
 * A kill loses no page cache, so this proves the order of the steps (the data is
 * complete before its name appears, the name before the 250), not the fsyncs themselves:
 * those need a power cut, which no test here can make.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { Pop3Client } from "../lib/pop3/mod.ts";
import { RawConnection } from "../lib/smtp/mod.ts";
import { startLabProcess } from "./lab_process.ts";

const ROUNDS = 8;
const CLIENTS = 8;
const decoder = new TextDecoder();

/** Message `n` of a round: its size varies, its body is a function of `n`. */
function messageText(round: number, n: number): string {
  const size = [120, 4_000, 40_000, 900][n % 4] + n;
  let body = "";
  for (let line = 0; body.length < size; line++) {
    body += `${line % 9 === 0 ? "." : ""}r${round} m${n} line ${line} ${"x".repeat(line % 70)}\r\n`;
  }
  return `Subject: crash r${round} m${n}\r\n\r\n${body}`;
}

/** One client: deliver messages one after another until the server goes away. */
async function client(
  port: number,
  round: number,
  next: () => number,
  acknowledged: Set<number>,
  onAck: () => void,
): Promise<void> {
  try {
    await using raw = await RawConnection.open(port, { timeoutMs: 20_000 });
    await raw.readReply();
    await raw.command("EHLO crash.test");
    while (true) {
      const n = next();
      await raw.write(`MAIL FROM:<load@crash.test>\r\nRCPT TO:<ann@localhost>\r\nDATA\r\n`);
      const replies = await raw.readReplies(3);
      assert.deepEqual(replies.map((r) => r.code), [250, 250, 354]);
      await raw.write(messageText(round, n).replaceAll("\r\n.", "\r\n..") + ".\r\n");
      if ((await raw.readReply()).code === 250) {
        acknowledged.add(n);
        onAck();
      }
    }
  } catch {
    // The server was killed: this client's part of the round is over.
  }
}

Deno.test("SIGKILL during SMTP load: every acknowledged message is whole in Maildir, nothing partial is visible", async () => {
  const folder = await Deno.makeTempDir({ prefix: "crash-" });
  try {
    let kept = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await using lab = await startLabProcess(folder, ["ann:pw"]);
      const acknowledged = new Set<number>();
      let counter = 0;
      // Kill after a different number of acknowledgements each round: the event, not a timer.
      const killAfter = 20 + ((round * 37) % 120);
      const killed = Promise.withResolvers<void>();
      const onAck = () => {
        if (acknowledged.size === killAfter) {
          lab.stop("SIGKILL").then(() => killed.resolve(), killed.reject);
        }
      };
      const port = lab.port("SMTP");
      const clients = Array.from(
        { length: CLIENTS },
        () => client(port, round, () => counter++, acknowledged, onAck),
      );
      await killed.promise;
      await Promise.all(clients);
      assert.equal((await lab.stop()).signal, "SIGKILL");

      // Every file in new/ and cur/ is a whole message of ours; each acknowledged one is there once.
      const seen = new Map<number, number>();
      for (const sub of ["new", "cur"]) {
        for await (const entry of Deno.readDir(`${folder}/ann/${sub}`)) {
          const text = decoder.decode(await Deno.readFile(`${folder}/ann/${sub}/${entry.name}`));
          const match = /^Subject: crash r(\d+) m(\d+)\r\n/m.exec(text);
          assert.ok(match, `${sub}/${entry.name} is not one of ours: ${text.slice(0, 200)}`);
          const [r, n] = [Number(match[1]), Number(match[2])];
          assert.equal(
            text.slice(match.index),
            messageText(r, n),
            `${sub}/${entry.name} (round ${r}, message ${n}) is not whole`,
          );
          if (r === round) seen.set(n, (seen.get(n) ?? 0) + 1);
        }
      }
      for (const n of acknowledged) {
        assert.equal(
          seen.get(n),
          1,
          `round ${round}: acknowledged message ${n} found ${seen.get(n) ?? 0} times`,
        );
      }
      kept += seen.size;
    }

    // The lab starts again over what the kills left, and serves every kept message.
    await using lab = await startLabProcess(folder, ["ann:pw"]);
    await using pop3 = await Pop3Client.connect(lab.port("POP3"));
    await pop3.login("ann", "pw");
    assert.equal((await pop3.stat()).count, kept);
    await pop3.quit();
    const listed = await (await new MailStore(folder).mailbox("ann")).list();
    assert.equal(listed.length, kept);
    console.log(`${ROUNDS} kills, ${kept} messages kept, every acknowledged one whole`);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
