import assert from "node:assert/strict";
import { MailboxNameError } from "./names.ts";
import { MailStore } from "./store.ts";

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
