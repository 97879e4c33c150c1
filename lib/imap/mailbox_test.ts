/**
 * The shared mailbox's group commit (mailbox.ts): changes asked for together are made
 * durable together, in order, each seeing those before it.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { type Maildir, MailStore } from "../maildir/mod.ts";
import { MailboxRegistry, type SharedMailbox } from "./mailbox.ts";
import { ModseqLog } from "./modseq.ts";

const encoder = new TextEncoder();

/** A user's INBOX with `count` messages, held from a fresh registry. */
async function inbox(count: number): Promise<
  { maildir: Maildir; box: SharedMailbox } & AsyncDisposable
> {
  const root = await Deno.makeTempDir({ prefix: "imap-mailbox-" });
  const maildir = await new MailStore(root).mailbox("alice");
  for (let i = 0; i < count; i++) {
    await maildir.deliver(encoder.encode(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
  }
  const registry = new MailboxRegistry();
  const box = await registry.acquire("alice", maildir, "INBOX");
  return {
    maildir,
    box,
    async [Symbol.asyncDispose]() {
      registry.release(box);
      await box.settled();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("STOREs asked for together are one commit: one MODSEQ, all on disk when answered", async () => {
  await using f = await inbox(5);
  const before = f.box.highestModseq;
  const changed = await Promise.all(
    f.box.messages.map((m) => f.box.setFlags([m.uid], "+", ["\\Flagged"])),
  );
  deepStrictEqual(changed, f.box.messages.map((m) => [m.uid]));
  // RFC 7162 3.1: one group, one new MODSEQ for every message it changed.
  equal(f.box.highestModseq, before + 1);
  deepStrictEqual(f.box.messages.map((m) => m.modseq), f.box.messages.map(() => before + 1));
  // On disk as the promises resolved: the file names and the MODSEQ log.
  for (const info of await f.maildir.list()) equal(info.flags, "F");
  const log = await ModseqLog.open(f.box.dir, f.box.uidValidity);
  equal(log.highest, before + 1);
});

Deno.test("UNCHANGEDSINCE sees a change made earlier in the same group", async () => {
  await using f = await inbox(1);
  const [{ uid, modseq }] = f.box.messages;
  const first = { unchangedSince: modseq, modified: [] as number[] };
  const second = { unchangedSince: modseq, modified: [] as number[] };
  const [a, b] = await Promise.all([
    f.box.setFlags([uid], "+", ["\\Seen"], first),
    f.box.setFlags([uid], "+", ["\\Flagged"], second),
  ]);
  // RFC 7162 3.1.3: the second STORE finds the message changed since `modseq`.
  deepStrictEqual([a, first.modified], [[uid], []]);
  deepStrictEqual([b, second.modified], [[], [uid]]);
  equal(f.box.byUid.get(uid)!.letters, "S");
});

Deno.test("appendMany() numbers messages in the order given, even with listings meanwhile", async () => {
  await using f = await inbox(0);
  const message = (text: string, date: Date) => ({ bytes: encoder.encode(text), flags: [], date });
  // Dates in reverse: a listing orders by date, the UIDs must follow the order given.
  const appending = f.box.appendMany([
    message("Subject: late\r\n\r\nA\r\n", new Date("2024-01-02T00:00:00Z")),
    message("Subject: early\r\n\r\nB\r\n", new Date("2020-01-01T00:00:00Z")),
  ]);
  const listings = Array.from({ length: 5 }, () => f.box.refresh(true));
  const uids = await appending;
  await Promise.all(listings);
  deepStrictEqual(uids, [1, 2]);
  const bodies = await Promise.all(uids.map(async (uid) => {
    const loaded = await f.box.load(uid);
    return new TextDecoder().decode(loaded!.bytes).split("\r\n")[2];
  }));
  deepStrictEqual(bodies, ["A", "B"]);
});
