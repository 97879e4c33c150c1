import assert from "node:assert/strict";
import { timeBurst } from "./burst.ts";
import { JournaledMailStore } from "./journaled_store.ts";
import { Maildir } from "./maildir.ts";

Deno.test("timeBurst() delivers every copy both ways and counts only its own journal syncs", async () => {
  const dir = await Deno.makeTempDir();
  const journaled = await JournaledMailStore.open(`${dir}/journaled`);
  try {
    const direct = await Maildir.open(`${dir}/direct`);
    const letter = new TextEncoder().encode("Subject: burst\r\n\r\nhello\r\n");
    const first = await timeBurst({ direct, journaled, letter, sessions: 8 });
    const second = await timeBurst({ direct, journaled, letter, sessions: 8 });
    assert.equal((await direct.list()).length, 16);
    assert.equal((await (await journaled.mailbox("bob")).list()).length, 16);
    for (const times of [first, second]) {
      assert.ok(times.journalSyncs >= 1 && times.journalSyncs <= 8, `${times.journalSyncs}`);
      assert.ok(times.filedMs >= times.journalMs);
    }
  } finally {
    await journaled.close();
    await Deno.remove(dir, { recursive: true });
  }
});
