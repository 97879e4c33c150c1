import assert from "node:assert/strict";
import { GroupSync } from "./group_sync.ts";

/** A fake directory sync that finishes only when the test says so. */
function manualSync() {
  const started: { path: string; finish: (error?: Error) => void }[] = [];
  const sync = (path: string) =>
    new Promise<void>((resolve, reject) => {
      started.push({ path, finish: (error) => error ? reject(error) : resolve() });
    });
  return { started, sync };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("GroupSync: a caller arriving during a sync waits for the next one", async () => {
  const fake = manualSync();
  const group = new GroupSync(fake.sync);
  const done: string[] = [];
  const first = group.sync("/m/new").then(() => done.push("first"));
  const second = group.sync("/m/new").then(() => done.push("second"));
  const third = group.sync("/m/new").then(() => done.push("third"));
  assert.equal(fake.started.length, 1, "one sync runs; the others queue behind it");

  fake.started[0].finish();
  await first;
  await tick();
  assert.deepEqual(done, ["first"], "the running sync may predate the later callers' entries");
  assert.equal(fake.started.length, 2, "the queued callers share one new sync");

  fake.started[1].finish();
  await Promise.all([second, third]);
  assert.deepEqual(done, ["first", "second", "third"]);
  assert.equal(group.syncs, 2);
});

Deno.test("GroupSync: different directories sync independently", async () => {
  const fake = manualSync();
  const group = new GroupSync(fake.sync);
  const a = group.sync("/a");
  const b = group.sync("/b");
  assert.deepEqual(fake.started.map((s) => s.path), ["/a", "/b"]);
  fake.started.forEach((s) => s.finish());
  await Promise.all([a, b]);
});

Deno.test("GroupSync: a failed sync fails its callers, and the next sync still runs", async () => {
  const fake = manualSync();
  const group = new GroupSync(fake.sync);
  const failing = group.sync("/d");
  const queued = group.sync("/d");
  fake.started[0].finish(new Error("EIO"));
  await assert.rejects(failing, /EIO/);
  await tick();
  fake.started[1].finish();
  await queued;
  // Idle again: the next caller starts a fresh sync at once.
  const later = group.sync("/d");
  assert.equal(fake.started.length, 3);
  fake.started[2].finish();
  await later;
});

Deno.test("GroupSync: syncs a real directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const group = new GroupSync();
    await Promise.all(Array.from({ length: 8 }, () => group.sync(dir)));
    assert.ok(group.syncs >= 1 && group.syncs <= 2, `expected 1 or 2 syncs, got ${group.syncs}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
