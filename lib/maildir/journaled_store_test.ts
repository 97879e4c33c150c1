import assert from "node:assert/strict";
import { Journal } from "./journal.ts";
import { encodeJournalEntry, JOURNAL_FILE, JournaledMailStore } from "./journaled_store.ts";
import { uniqueName } from "./filename.ts";
import { MailboxNameError } from "./names.ts";
import { withTimeout } from "../net/timeout.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const JOURNAL_BYTES = 256 * 1024;

async function withFolder(fn: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "journaled-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const files = async (dir: string) => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
};

Deno.test("JournaledMailStore.accept(): messages of concurrent senders share journal syncs and reach every INBOX whole", async () => {
  await withFolder(async (root) => {
    await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    const messages = Array.from(
      { length: 30 },
      (_, i) => `Subject: m${i}\r\n\r\n${"x".repeat(i * 50)}\r\n`,
    );
    await Promise.all(messages.map((text) => store.accept(["ann", "bob"], encoder.encode(text))));
    assert.ok(
      store.journalSyncs < messages.length,
      `${store.journalSyncs} syncs for ${messages.length}`,
    );
    for (const user of ["ann", "bob"]) {
      const box = await store.mailbox(user); // waits until the accepted messages are filed
      const stored = await Promise.all((await box.list()).map((m) => box.read(m.id)));
      assert.deepEqual(stored.map((b) => decoder.decode(b)).sort(), [...messages].sort());
      assert.deepEqual(await files(`${root}/${user}/tmp`), []);
    }
  });
});

Deno.test("JournaledMailStore.open() files what a crash left in the journal, once, and cleans tmp/", async () => {
  await withFolder(async (root) => {
    // What a crash leaves, one message for each moment of filing a group (write into tmp/,
    // syncfs, rename into new/, sync new/, checkpoint): all five acknowledged in the journal;
    // 0 was filed and then read by a client (moved to cur/), 1 was cut short while being
    // written into tmp/, 2 is whole in tmp/ (synced, not yet renamed), 3 was renamed into
    // new/ but its tmp/ name came back (a power cut before tmp/ was synced), 4 was not
    // filed at all.
    const ids = Array.from({ length: 5 }, () => uniqueName());
    const texts = ids.map((id) => `Subject: ${id}\r\n\r\nbody of ${id}\r\n`);
    const { journal } = await Journal.open(`${root}/${JOURNAL_FILE}`, { bytes: JOURNAL_BYTES });
    for (let i = 0; i < ids.length; i++) {
      await journal.append(encodeJournalEntry(ids[i], ["ann"], encoder.encode(texts[i])));
    }
    await journal.close();
    for (const sub of ["tmp", "new", "cur"]) {
      await Deno.mkdir(`${root}/ann/${sub}`, { recursive: true });
    }
    await Deno.writeTextFile(`${root}/ann/cur/${ids[0]}:2,S`, texts[0]);
    await Deno.writeTextFile(`${root}/ann/tmp/${ids[1]}`, texts[1].slice(0, 10));
    await Deno.writeTextFile(`${root}/ann/tmp/${ids[2]}`, texts[2]);
    await Deno.writeTextFile(`${root}/ann/new/${ids[3]}`, texts[3]);
    await Deno.link(`${root}/ann/new/${ids[3]}`, `${root}/ann/tmp/${ids[3]}`);

    await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    assert.equal(store.replayed, 5);
    assert.deepEqual(await files(`${root}/ann/new`), ids.slice(1).sort());
    assert.deepEqual(await files(`${root}/ann/cur`), [`${ids[0]}:2,S`]);
    assert.deepEqual(await files(`${root}/ann/tmp`), []);
    for (let i = 1; i < ids.length; i++) {
      assert.equal(await Deno.readTextFile(`${root}/ann/new/${ids[i]}`), texts[i]);
    }
    await store.close();

    // Filed and checkpointed: a second start files nothing again.
    await using again = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    assert.equal(again.replayed, 0);
    assert.equal((await (await again.mailbox("ann")).list()).length, 5);
  });
});

Deno.test("JournaledMailStore: a message deleted after filing does not come back after a restart", async () => {
  await withFolder(async (root) => {
    {
      await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
      await store.accept(["ann"], encoder.encode("Subject: gone\r\n\r\nbye\r\n"));
      const box = await store.mailbox("ann");
      const [info] = await box.list();
      await box.remove(info.id);
    }
    await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    assert.equal(store.replayed, 0);
    assert.equal((await (await store.mailbox("ann")).list()).length, 0);
  });
});

Deno.test("JournaledMailStore.accept() delivers a message too large for the journal straight into Maildir", async () => {
  await withFolder(async (root) => {
    await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    const big = new Uint8Array(JOURNAL_BYTES / 2).fill(97);
    await store.accept(["ann"], big);
    assert.equal(store.journalSyncs, 0);
    const [name] = await files(`${root}/ann/new`);
    assert.deepEqual(await Deno.readFile(`${root}/ann/new/${name}`), big);
  });
});

Deno.test("JournaledMailStore.accept() refuses unsafe user names before journaling anything", async () => {
  await withFolder(async (root) => {
    await using store = await JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES });
    await assert.rejects(store.accept(["ann", "../etc"], encoder.encode("x")), MailboxNameError);
    assert.equal(store.journalSyncs, 0);
  });
});

/** How many messages are in `dir` (0 while it does not exist yet). */
const count = async (dir: string) => (await files(dir).catch(() => [])).length;
const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** Resolves once `dir` holds `n` files, or rejects after `ms`. */
async function filesAppear(dir: string, n: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (await count(dir) < n) {
    if (Date.now() > deadline) throw new Error(`${dir} holds ${await count(dir)} of ${n} files`);
    await sleep(10);
  }
}

/** A store whose filer waits for a pause of `lullMs` in deliveries, `maxMs` at most. */
const openWithWaits = (root: string, lullMs: number, maxMs: number) =>
  JournaledMailStore.open(root, { journalBytes: JOURNAL_BYTES, lullMs, maxFilingDelayMs: maxMs });

const letter = (i: number) => encoder.encode(`Subject: m${i}\r\n\r\nhello\r\n`);

Deno.test("JournaledMailStore: the filer waits for a pause in deliveries, then files without being asked", async () => {
  await withFolder(async (root) => {
    await using store = await openWithWaits(root, 400, 60_000);
    await store.accept(["ann"], letter(0));
    await sleep(100);
    await store.accept(["ann"], letter(1)); // deliveries still coming: the lull starts again
    await sleep(250);
    assert.equal(await count(`${root}/ann/new`), 0, "filed before deliveries paused");
    await filesAppear(`${root}/ann/new`, 2, 10_000);
  });
});

Deno.test("JournaledMailStore: under deliveries that never pause, a message waits at most the longest filing delay", async () => {
  await withFolder(async (root) => {
    await using store = await openWithWaits(root, 60_000, 300);
    // One message every 20 ms for 1.5 s: never the 60 s pause. The first ones must be
    // filed while the deliveries go on.
    const started = Date.now();
    let i = 0;
    while (Date.now() - started < 1500) {
      await store.accept(["ann"], letter(i++));
      await sleep(20);
    }
    const filed = await count(`${root}/ann/new`);
    assert.ok(filed > 0 && filed < i, `${filed} of ${i} filed while deliveries went on`);
  });
});

Deno.test("JournaledMailStore: a reader in the process does not wait for the pause", async () => {
  await withFolder(async (root) => {
    await using store = await openWithWaits(root, 60_000, 60_000);
    await store.accept(["ann"], letter(0));
    const box = await withTimeout(store.mailbox("ann"), 10_000, "the reader's wait");
    assert.equal((await box.list()).length, 1);
  });
});

Deno.test("JournaledMailStore: once the journal is half full the filer files at once, and deliveries never stall", async () => {
  await withFolder(async (root) => {
    await using store = await openWithWaits(root, 60_000, 60_000);
    // 1.5 journals' worth of 2 KB messages, one after another, with no pause and no reader:
    // only filing at half full lets the journal start again at the top.
    const body = new Uint8Array(2048).fill(120);
    const n = Math.ceil(1.5 * JOURNAL_BYTES / 2048);
    await withTimeout(
      (async () => {
        for (let i = 0; i < n; i++) await store.accept(["ann"], body);
      })(),
      10_000,
      "the deliveries",
    );
    assert.ok(await count(`${root}/ann/new`) > 0, "nothing filed before the pause");
  });
});
