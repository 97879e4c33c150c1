import assert from "node:assert/strict";
import { MemoryStore } from "./backend.ts";

Deno.test("MemoryStore lists, reads and removes a user's messages in delivery order", async () => {
  const store = new MemoryStore();
  const first = store.add("alice", new Uint8Array([1, 2, 3]));
  const second = store.add("alice", new Uint8Array([4]));
  store.add("bob", new Uint8Array([5]));
  const box = await store.mailbox("alice");
  assert.deepEqual(await box.list(), [{ id: first, size: 3 }, { id: second, size: 1 }]);
  assert.deepEqual(await box.read(second), new Uint8Array([4]));
  await box.remove(first);
  assert.deepEqual(store.ids("alice"), [second]);
  await assert.rejects(box.read(first), Deno.errors.NotFound);
});
