import assert from "node:assert/strict";
import { MailboxNameError } from "./names.ts";
import { MailStore } from "./store.ts";
import { sweepTmpPeriodically } from "./tmp_sweeper.ts";

Deno.test("MailStore gives each user a Maildir of their own, created on first use", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MailStore(root);
    assert.deepEqual(await store.users(), []);
    const [alice, again, bob] = await Promise.all([
      store.mailbox("alice"),
      store.mailbox("alice"),
      store.mailbox("bob.smith"),
    ]);
    assert.equal(alice, again);
    assert.equal(alice.root, await Deno.realPath(`${root}/alice`));
    await alice.deliver(new TextEncoder().encode("for alice"));
    assert.equal((await bob.list()).length, 0);
    await Deno.mkdir(`${root}/not-a-maildir`);
    assert.deepEqual(await store.users(), ["alice", "bob.smith"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("MailStore.users() is empty when the root does not exist yet", async () => {
  assert.deepEqual(await new MailStore("/nonexistent/mail/store").users(), []);
});

Deno.test("MailStore.mailbox() refuses unsafe user names", async (t) => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MailStore(root);
    for (const user of ["", "..", "../root", "a/b", ".hidden", "nul\0", "cr\r", "x".repeat(300)]) {
      await t.step(JSON.stringify(user).slice(0, 30), async () => {
        await assert.rejects(store.mailbox(user), MailboxNameError);
      });
    }
    assert.deepEqual(await store.users(), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** Plant a file in `dir` whose mtime is `hours` ago. */
async function plant(dir: string, name: string, hours: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${name}`, "half a message");
  const then = new Date(Date.now() - hours * 3600 * 1000);
  await Deno.utime(`${dir}/${name}`, then, then);
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("MailStore.mailbox() removes tmp/ files older than 36 hours in every folder on first open", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const sub of ["new", "cur"]) await Deno.mkdir(`${root}/alice/${sub}`, { recursive: true });
    await Deno.mkdir(`${root}/alice/.Sent/cur`, { recursive: true });
    await Deno.mkdir(`${root}/alice/.Sent/new`, { recursive: true });
    await plant(`${root}/alice/tmp`, "1700000000.M1P1Q1.crashed", 40);
    await plant(`${root}/alice/tmp`, "1700000000.M2P1Q1.in-progress", 35);
    await plant(`${root}/alice/.Sent/tmp`, "1700000000.M3P1Q1.crashed", 40);
    const box = await new MailStore(root).mailbox("alice");
    assert.deepEqual(await names(`${box.root}/tmp`), ["1700000000.M2P1Q1.in-progress"]);
    assert.deepEqual(await names(`${box.root}/.Sent/tmp`), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("sweepTmpPeriodically() removes stale tmp/ files of every user while the server runs", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MailStore(root);
    await store.mailbox("alice");
    await store.mailbox("bob");
    await plant(`${root}/alice/tmp`, "old-a", 37);
    await plant(`${root}/bob/tmp`, "old-b", 100);
    await plant(`${root}/bob/tmp`, "fresh", 0);
    const swept = Promise.withResolvers<number>();
    {
      await using _sweeper = sweepTmpPeriodically(store, { intervalMs: 5, onSweep: swept.resolve });
      assert.equal(await swept.promise, 2);
    }
    assert.deepEqual(await names(`${root}/alice/tmp`), []);
    assert.deepEqual(await names(`${root}/bob/tmp`), ["fresh"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
