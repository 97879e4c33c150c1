import assert from "node:assert/strict";
import { mapConcurrently } from "./map_concurrently.ts";

Deno.test("mapConcurrently() keeps the items' order and never has more than `limit` calls in flight", async () => {
  let inFlight = 0;
  let most = 0;
  const items = Array.from({ length: 50 }, (_, i) => i);
  const results = await mapConcurrently(items, 4, async (i) => {
    inFlight++;
    most = Math.max(most, inFlight);
    // Later items finish first, so order comes from the index, not from completion.
    await new Promise((resolve) => setTimeout(resolve, (50 - i) % 7));
    inFlight--;
    return i * 2;
  });
  assert.deepEqual(results, items.map((i) => i * 2));
  assert.equal(most, 4);
  assert.deepEqual(await mapConcurrently([], 4, () => Promise.resolve(1)), []);
});

Deno.test("mapConcurrently() passes on the first failure", async () => {
  await assert.rejects(
    mapConcurrently(
      [1, 2, 3],
      2,
      (i) => i === 2 ? Promise.reject(new Error("no 2")) : Promise.resolve(i),
    ),
    /no 2/,
  );
});
