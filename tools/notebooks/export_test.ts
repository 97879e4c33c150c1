import assert from "node:assert/strict";
import {
  DEFAULT_OUT,
  MARKER,
  parseExportArgs,
  prepareOutFolder,
  selectNotebooks,
} from "./export.ts";
import { NOTEBOOKS } from "./notebooks.ts";

Deno.test("parseExportArgs() reads notebooks and --out, relative to the caller's folder", () => {
  assert.deepEqual(parseExportArgs([], "/home/me"), { names: [], out: DEFAULT_OUT });
  assert.deepEqual(parseExportArgs(["00_welcome", "--out", "pages"], "/home/me"), {
    names: ["00_welcome"],
    out: "/home/me/pages",
  });
  assert.deepEqual(parseExportArgs(["--out=/tmp/x", "./notebooks/01_layers.ipynb"], "/repo"), {
    names: ["/repo/notebooks/01_layers.ipynb"],
    out: "/tmp/x",
  });
});

Deno.test("parseExportArgs() refuses unknown options and a missing folder", () => {
  assert.throws(() => parseExportArgs(["--outdir", "x"]), /unknown option --outdir/);
  assert.throws(() => parseExportArgs(["--out"]), /--out needs a folder/);
  assert.throws(() => parseExportArgs(["--out", "--verbose"]), /--out needs a folder/);
});

Deno.test("selectNotebooks() selects by name or path and names what matches nothing", () => {
  assert.deepEqual(selectNotebooks(["00_welcome"]), [`${NOTEBOOKS}/00_welcome.ipynb`]);
  assert.deepEqual(selectNotebooks([`${NOTEBOOKS}/00_welcome.ipynb`]), [
    `${NOTEBOOKS}/00_welcome.ipynb`,
  ]);
  assert.ok(selectNotebooks([]).length > 1);
  assert.throws(() => selectNotebooks(["99_nothing"]), /Cannot export 99_nothing: no notebook/);
});

Deno.test("prepareOutFolder() reuses its own folder and refuses one with other files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await prepareOutFolder(`${dir}/site`);
    await Deno.writeTextFile(`${dir}/site/00_welcome.html`, "<html></html>");
    await prepareOutFolder(`${dir}/site`);
    assert.ok((await Deno.stat(`${dir}/site/${MARKER}`)).isFile);
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    await assert.rejects(prepareOutFolder(dir), /Cannot export to .*holds other files/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
