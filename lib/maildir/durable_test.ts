import assert from "node:assert/strict";
import { syncDirectory, writeFileDurably } from "./durable.ts";

Deno.test("writeFileDurably() writes bytes, sets the mtime, refuses to overwrite", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/m`;
    const date = new Date("2024-05-01T12:00:00Z");
    await writeFileDurably(path, new TextEncoder().encode("hello"), date);
    assert.equal(new TextDecoder().decode(await Deno.readFile(path)), "hello");
    assert.equal((await Deno.stat(path)).mtime?.getTime(), date.getTime());
    await assert.rejects(writeFileDurably(path, new Uint8Array()), Deno.errors.AlreadyExists);
    await syncDirectory(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
