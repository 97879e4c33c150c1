/**
 * "250 means stored": the lab is killed with SIGKILL while eight clients deliver to it,
 * many times over. The lab answers 250 once a message is in its journal
 * (lib/maildir/journaled_store.ts) and files it into Maildir later, once deliveries pause,
 * so the kills come at two moments: in odd rounds while the clients deliver without a
 * break (the messages are in the journal only), in even rounds once they pause, as soon
 * as the filer has files in tmp/ (a group half filed). Either way:
 *
 * - right after the kill, nothing partial is visible in new/ or cur/ (what is there is
 *   whole; acknowledged messages may still be only in the journal);
 * - once the lab has started again on the same folder (which files what the journal
 *   holds), every message that got its 250 is in new/ or cur/, byte for byte, exactly
 *   once, and tmp/ is empty; a message stored but not acknowledged may be there too,
 *   but only whole;
 * - the restarted lab serves every kept message over POP3.
 *
 * A kill loses no page cache, so this proves the order of the steps (the journal record
 * is complete before the 250, a Maildir file before its name appears), not the fsyncs
 * themselves: those need a power cut, which no test here can make.
 */
import assert from "node:assert/strict";
import { MailStore } from "../lib/maildir/mod.ts";
import { Pop3Client } from "../lib/pop3/mod.ts";
import { RawConnection } from "../lib/smtp/mod.ts";
import { startLabProcess } from "./lab_process.ts";

const ROUNDS = 16;
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
  pauseIfAsked: () => Promise<void>,
): Promise<void> {
  try {
    await using raw = await RawConnection.open(port, { timeoutMs: 20_000 });
    await raw.readReply();
    await raw.command("EHLO crash.test");
    while (true) {
      await pauseIfAsked();
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

/** The names in `dir`; none while it does not exist (nothing was filed for the user yet). */
async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Resolves as soon as `dir` holds a file, or after `ms`; says which. */
async function firstFileIn(dir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await namesIn(dir)).length > 0) return true;
    await new Promise((wake) => setTimeout(wake, 1));
  }
  return false;
}

/** Every file in `folder/ann`'s new/ and cur/: each must be a whole message of ours. */
async function wholeMessages(folder: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>(); // "round/message" -> copies
  for (const sub of ["new", "cur"]) {
    for (const name of await namesIn(`${folder}/ann/${sub}`)) {
      const entry = { name };
      const text = decoder.decode(await Deno.readFile(`${folder}/ann/${sub}/${entry.name}`));
      const match = /^Subject: crash r(\d+) m(\d+)\r\n/m.exec(text);
      assert.ok(match, `${sub}/${entry.name} is not one of ours: ${text.slice(0, 200)}`);
      const [r, n] = [Number(match[1]), Number(match[2])];
      assert.equal(
        text.slice(match.index),
        messageText(r, n),
        `${sub}/${entry.name} (round ${r}, message ${n}) is not whole`,
      );
      seen.set(`${r}/${n}`, (seen.get(`${r}/${n}`) ?? 0) + 1);
    }
  }
  return seen;
}

/** After a restart: every acknowledged message of every round so far is there exactly once. */
async function checkKept(folder: string, acknowledged: Map<number, Set<number>>) {
  const seen = await wholeMessages(folder);
  for (const [round, numbers] of acknowledged) {
    for (const n of numbers) {
      assert.equal(
        seen.get(`${round}/${n}`),
        1,
        `round ${round}: acknowledged message ${n} found ${seen.get(`${round}/${n}`) ?? 0} times`,
      );
    }
  }
  for (const [key, copies] of seen) {
    assert.equal(copies, 1, `message ${key} is there ${copies} times`);
  }
  const leftovers = [...Deno.readDirSync(`${folder}/ann/tmp`)].map((e) => e.name);
  assert.deepEqual(leftovers, [], "tmp/ holds leftovers after the restart");
  return seen.size;
}

Deno.test("SIGKILL during SMTP load: every acknowledged message is whole in Maildir after the restart, nothing partial is ever visible", async () => {
  const folder = await Deno.makeTempDir({ prefix: "crash-" });
  try {
    const acknowledgedByRound = new Map<number, Set<number>>();
    let replayed = 0;
    let killedMidFiling = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await using lab = await startLabProcess(folder, ["ann:pw"]);
      replayed += Number(/filed (\d+) acknowledged/.exec(lab.printed)?.[1] ?? 0);
      if (round > 1) await checkKept(folder, acknowledgedByRound);
      const acknowledged = new Set<number>();
      acknowledgedByRound.set(round, acknowledged);
      let counter = 0;
      // Kill after a different number of acknowledgements each round: the event, not a timer.
      const killAfter = 20 + ((round * 37) % 120);
      const killed = Promise.withResolvers<void>();
      let paused = false; // then the clients send nothing more until the kill
      const kill = () => lab.stop("SIGKILL").then(() => killed.resolve(), killed.reject);
      const onAck = () => {
        if (acknowledged.size !== killAfter) return;
        if (round % 2 === 1) return void kill();
        // Even rounds: the clients pause, the filer takes its lull, and the kill comes as
        // soon as a group is in tmp/ (or after 5 s, should filing never show there).
        paused = true;
        firstFileIn(`${folder}/ann/tmp`, 5_000).then((midFiling) => {
          if (midFiling) killedMidFiling++;
          return kill();
        });
      };
      const port = lab.port("SMTP");
      const clients = Array.from(
        { length: CLIENTS },
        () =>
          client(
            port,
            round,
            () => counter++,
            acknowledged,
            onAck,
            () => paused ? killed.promise.catch(() => {}) : Promise.resolve(),
          ),
      );
      await killed.promise;
      await Promise.all(clients);
      assert.equal((await lab.stop()).signal, "SIGKILL");
      // While the server is down, readers see only whole messages.
      await wholeMessages(folder);
    }

    // The lab starts again over what the last kill left, and serves every kept message.
    await using lab = await startLabProcess(folder, ["ann:pw"]);
    replayed += Number(/filed (\d+) acknowledged/.exec(lab.printed)?.[1] ?? 0);
    const kept = await checkKept(folder, acknowledgedByRound);
    await using pop3 = await Pop3Client.connect(lab.port("POP3"));
    await pop3.login("ann", "pw");
    assert.equal((await pop3.stat()).count, kept);
    await pop3.quit();
    const listed = await (await new MailStore(folder).mailbox("ann")).list();
    assert.equal(listed.length, kept);
    const acknowledged = [...acknowledgedByRound.values()].reduce((sum, set) => sum + set.size, 0);
    console.log(
      `${ROUNDS} kills (${killedMidFiling} with a group in tmp/), ${acknowledged} messages ` +
        `acknowledged, ${kept} kept (each whole, once), ${replayed} filed from the journal at a restart`,
    );
    assert.ok(killedMidFiling > 0, "no kill came while the filer had a group in tmp/");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
