import assert from "node:assert/strict";
import { IdleWatch } from "./idle_watch.ts";
import { IdleTimeoutError } from "./line_reader.ts";
import { withTimeout } from "./timeout.ts";

/** A peer that sends one byte each time the test calls `send()`; `close()` ends it. */
function peer() {
  const waiting: ((n: number | null) => void)[] = [];
  return {
    read: () => new Promise<number | null>((resolve) => waiting.push(resolve)),
    send: () => waiting.shift()?.(1),
    close: () => waiting.splice(0).forEach((resolve) => resolve(null)),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("IdleWatch fails a read the peer leaves unanswered, and every read after it", async () => {
  const source = peer();
  using watched = new IdleWatch(source, 20);
  await assert.rejects(watched.read(new Uint8Array(1)), IdleTimeoutError);
  await assert.rejects(watched.read(new Uint8Array(1)), /earlier read timed out/);
  source.close(); // what closing the connection does to the pending read
});

Deno.test("IdleWatch times each read on its own: reads answered in time never time out", async () => {
  const source = peer();
  using watched = new IdleWatch(source, 300);
  const first = watched.read(new Uint8Array(1)); // arms the timer for 300 ms from now
  await pause(200);
  source.send();
  assert.equal(await first, 1);
  // The timer fires while this read waits, 100 ms into its 300: it must wait on.
  const second = watched.read(new Uint8Array(1));
  await pause(200);
  source.send();
  assert.equal(await second, 1);
});

Deno.test("IdleWatch asks a timeout function before each read, and a shorter one still fires", async () => {
  const source = peer();
  const limits = [60_000, 20];
  using watched = new IdleWatch(source, () => limits.shift()!);
  const first = watched.read(new Uint8Array(1)); // arms the timer a minute ahead
  source.send();
  assert.equal(await first, 1);
  const late = await withTimeout(
    watched.read(new Uint8Array(1)).catch((e) => e),
    5000,
    "the 20 ms timeout",
  );
  assert.ok(late instanceof IdleTimeoutError);
  assert.equal(late.ms, 20);
  source.close();
});

Deno.test("IdleWatch stops its timer once disposed", async () => {
  const source = peer();
  let read;
  {
    using watched = new IdleWatch(source, 20);
    read = watched.read(new Uint8Array(1));
  } // the connection is over: its timer must not fire any more
  await pause(100);
  source.send();
  assert.equal(await read, 1);
});
