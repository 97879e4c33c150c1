import assert from "node:assert/strict";
import { LAB_V8_FLAGS } from "./v8_flags.ts";
import { writeKernelspec } from "../../tools/venv.ts";

Deno.test("deno task lab runs the lab with LAB_V8_FLAGS", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const args = config.tasks.lab.command.split(" ");
  assert.ok(args.includes(`--v8-flags=${LAB_V8_FLAGS}`), config.tasks.lab.command);
  assert.ok(args.indexOf(`--v8-flags=${LAB_V8_FLAGS}`) < args.indexOf("tools/lab.ts"));
});

Deno.test("the notebooks' kernel runs with LAB_V8_FLAGS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kernelspec-" });
  try {
    writeKernelspec({ dir, python: "/usr/bin/python3", deno: "/usr/bin/deno" });
    const spec = JSON.parse(await Deno.readTextFile(`${dir}/kernel.json`));
    assert.equal(spec.env.DENO_V8_FLAGS, LAB_V8_FLAGS);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
