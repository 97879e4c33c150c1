import assert from "node:assert/strict";
import { KeyedLock } from "./keyed_lock.ts";

Deno.test("KeyedLock runs tasks of one key in order, other keys alongside", async () => {
  const lock = new KeyedLock();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = lock.run("a", async () => {
    events.push("a1 start");
    await gate;
    events.push("a1 end");
  });
  const second = lock.run("a", () => {
    events.push("a2");
    return Promise.resolve();
  });
  await lock.run("b", () => {
    events.push("b");
    return Promise.resolve();
  });
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ["a1 start", "b", "a1 end", "a2"]);
});

Deno.test("KeyedLock keeps going after a task fails", async () => {
  const lock = new KeyedLock();
  await assert.rejects(lock.run("k", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await lock.run("k", () => Promise.resolve(7)), 7);
});
