import assert from "node:assert/strict";
import { GroupSync, type OpenDirectory } from "./group_sync.ts";

/** Fake directories whose syncs finish only when the test says so. */
function manualDisk() {
  const started: { path: string; finish: (error?: Error) => void }[] = [];
  const opened: string[] = [];
  const closed: string[] = [];
  const open = (path: string): Promise<OpenDirectory> => {
    opened.push(path);
    return Promise.resolve({
      sync: () =>
        new Promise<void>((resolve, reject) => {
          started.push({ path, finish: (error) => error ? reject(error) : resolve() });
        }),
      close: () => closed.push(path),
    });
  };
  return { started, opened, closed, open };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("GroupSync: a caller arriving during a sync waits for the next one", async () => {
  const disk = manualDisk();
  const group = new GroupSync(disk.open);
  const done: string[] = [];
  const first = group.sync("/m/new").then(() => done.push("first"));
  const second = group.sync("/m/new").then(() => done.push("second"));
  const third = group.sync("/m/new").then(() => done.push("third"));
  await tick();
  assert.equal(disk.started.length, 1, "one sync runs; the others queue behind it");

  disk.started[0].finish();
  await first;
  await tick();
  assert.deepEqual(done, ["first"], "the running sync may predate the later callers' entries");
  assert.equal(disk.started.length, 2, "the queued callers share one new sync");

  disk.started[1].finish();
  await Promise.all([second, third]);
  assert.deepEqual(done, ["first", "second", "third"]);
  assert.equal(group.syncs, 2);
  await tick();
  assert.deepEqual(disk.opened, ["/m/new"], "back-to-back syncs reuse the open directory");
  assert.deepEqual(disk.closed, ["/m/new"], "closed once nobody waits");
});

Deno.test("GroupSync: different directories sync independently", async () => {
  const disk = manualDisk();
  const group = new GroupSync(disk.open);
  const a = group.sync("/a");
  const b = group.sync("/b");
  await tick();
  assert.deepEqual(disk.started.map((s) => s.path), ["/a", "/b"]);
  disk.started.forEach((s) => s.finish());
  await Promise.all([a, b]);
});

Deno.test("GroupSync: a failed sync fails its callers, and the next sync reopens and runs", async () => {
  const disk = manualDisk();
  const group = new GroupSync(disk.open);
  const failing = group.sync("/d");
  const queued = group.sync("/d");
  await tick();
  disk.started[0].finish(new Error("EIO"));
  await assert.rejects(failing, /EIO/);
  await tick();
  assert.deepEqual(disk.opened, ["/d", "/d"], "after a failure the directory is opened afresh");
  disk.started[1].finish();
  await queued;
  // Idle again: the next caller starts a fresh sync at once.
  const later = group.sync("/d");
  await tick();
  assert.equal(disk.started.length, 3);
  disk.started[2].finish();
  await later;
  await tick();
  assert.equal(disk.closed.length, disk.opened.length, "every opened directory was closed");
});

Deno.test("GroupSync: a directory that cannot be opened fails the callers", async () => {
  const group = new GroupSync();
  await assert.rejects(group.sync("/no/such/dir"), Deno.errors.NotFound);
});

Deno.test("GroupSync: syncs a real directory and closes it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const group = new GroupSync();
    await Promise.all(Array.from({ length: 8 }, () => group.sync(dir)));
    assert.ok(group.syncs >= 1 && group.syncs <= 2, `expected 1 or 2 syncs, got ${group.syncs}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
