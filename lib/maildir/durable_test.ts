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

/** Run writeFilesDurably() in a Deno of its own with `permissions`; returns what it wrote. */
async function writeFilesIn(permissions: string[]): Promise<string[]> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/b`, "a leftover, longer than what replaces it");
    const script = `import { writeFilesDurably } from ${
      JSON.stringify(import.meta.resolve("./durable.ts"))
    };
      const e = new TextEncoder();
      await writeFilesDurably(Deno.args[0], [{ name: "a", bytes: e.encode("one") }, { name: "b", bytes: e.encode("two") }]);`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", ...permissions, script, dir],
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    return await Promise.all(["a", "b"].map((name) => Deno.readTextFile(`${dir}/${name}`)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeFilesDurably() writes every file whole and replaces a leftover, with syncfs and without", async (t) => {
  await t.step("all permissions (syncfs through libc where it exists)", async () => {
    assert.deepEqual(await writeFilesIn(["-A"]), ["one", "two"]);
  });
  await t.step("no FFI permission (one fdatasync per file)", async () => {
    assert.deepEqual(await writeFilesIn(["--allow-read", "--allow-write"]), ["one", "two"]);
  });
});
