import assert from "node:assert/strict";
import { recordBetween, recordBlock } from "./record.ts";

Deno.test("recordBlock() and recordBetween() replace only their marked part and leave the file formatted", async () => {
  const dir = await Deno.makeTempDir();
  const file = new URL(`file://${dir}/results.md`);
  try {
    await Deno.writeTextFile(
      file.pathname,
      [
        "# Results",
        "",
        "<!-- fetch:begin (written by x) -->",
        "old",
        "<!-- fetch:end -->",
        "",
        "<!-- BEGIN summary -->",
        "",
        "old line",
        "",
        "<!-- END summary -->",
        "",
      ].join("\n"),
    );
    await recordBlock(
      file,
      "fetch",
      "<!-- fetch:begin (written by x) -->\n\n| a | $& |\n| - | - |\n| 1 | 22 |\n\n<!-- fetch:end -->",
    );
    await recordBetween(file, "<!-- BEGIN summary -->", "<!-- END summary -->", "- new line");
    assert.equal(
      await Deno.readTextFile(file),
      [
        "# Results",
        "",
        "<!-- fetch:begin (written by x) -->",
        "",
        "| a | $& |",
        "| - | -- |",
        "| 1 | 22 |",
        "",
        "<!-- fetch:end -->",
        "",
        "<!-- BEGIN summary -->",
        "",
        "- new line",
        "",
        "<!-- END summary -->",
        "",
      ].join("\n"),
    );
    await assert.rejects(recordBlock(file, "stress", "x"), /the stress markers are missing/);
    await assert.rejects(recordBetween(file, "<!-- BEGIN x -->", "<!-- END x -->", "y"), /lacks/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
