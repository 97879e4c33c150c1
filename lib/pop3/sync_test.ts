import assert from "node:assert/strict";
import { MemoryStore } from "./backend.ts";
import { Pop3Client } from "./client.ts";
import { servePop3 } from "./server.ts";
import { planSync, syncNew } from "./sync.ts";

const encoder = new TextEncoder();

Deno.test("planSync() fetches unknown ids once and reports ids the server lost", () => {
  const listing = [
    { number: 1, value: "a" },
    { number: 2, value: "b" },
    { number: 3, value: "b" },
    { number: 4, value: "c" },
  ];
  const plan = planSync(listing, new Set(["a", "x"]));
  assert.deepEqual(plan.fetch, [{ number: 2, value: "b" }, { number: 4, value: "c" }]);
  assert.deepEqual(plan.gone, ["x"]);
});

Deno.test("syncNew() downloads only new mail and leaves everything on the server", async () => {
  const store = new MemoryStore();
  store.add("alice", encoder.encode("Subject: 1\r\n\r\none\r\n"));
  store.add("alice", encoder.encode("Subject: 2\r\n\r\ntwo\r\n"));
  await using server = servePop3({ store, users: new Map([["alice", "pw"]]) });
  const known = new Set<string>();
  const saved = new Map<string, Uint8Array>();
  const sync = async () => {
    await using client = await Pop3Client.connect(server.port);
    await client.login("alice", "pw");
    const result = await syncNew(client, known, (id, bytes) => void saved.set(id, bytes));
    await client.quit();
    return result;
  };
  const first = await sync();
  assert.equal(first.fetch.length, 2);
  assert.equal(first.skipped, 0);
  const id = store.add("alice", encoder.encode("Subject: 3\r\n\r\nthree\r\n"));
  const second = await sync();
  assert.deepEqual(second.fetch.map((e) => e.value), [id]);
  assert.equal(second.skipped, 2);
  assert.equal(second.bytes, "Subject: 3\r\n\r\nthree\r\n".length);
  assert.equal(store.ids("alice").length, 3, "nothing deleted on the server");
  assert.equal(saved.size, 3);
});
