import assert from "node:assert/strict";
import {
  copyWebAssets,
  moduleClosure,
  pinnedVersion,
  relativeImports,
  WEB_PACKAGES,
} from "./web_assets.ts";

Deno.test("pinnedVersion() reads an exact npm: version and refuses anything else", () => {
  assert.equal(pinnedVersion("mermaid", { mermaid: "npm:mermaid@12.3.0" }), "12.3.0");
  assert.throws(() => pinnedVersion("mermaid", {}), /Cannot find mermaid in deno.json "imports"/);
  assert.throws(
    () => pinnedVersion("mermaid", { mermaid: "npm:mermaid@^12" }),
    /is not npm:mermaid@<exact version>/,
  );
  assert.throws(
    () => pinnedVersion("mermaid", { mermaid: "npm:other@1.0.0" }),
    /is not npm:mermaid@<exact version>/,
  );
});

Deno.test("deno.json pins every web package to an exact version", () => {
  for (const name of Object.keys(WEB_PACKAGES)) assert.match(pinnedVersion(name), /^\d+\.\d+\.\d+/);
});

Deno.test("relativeImports() finds static, side-effect, re-export and dynamic imports", () => {
  const source = `import{a as b}from"./chunks/a.mjs";import"./b.mjs";export{c}from'../c.mjs';` +
    `const d=()=>import("./d.mjs");import e from "dompurify";import("https://cdn.example/x.mjs")`;
  assert.deepEqual(relativeImports(source), ["./chunks/a.mjs", "./b.mjs", "../c.mjs", "./d.mjs"]);
});

Deno.test("moduleClosure() follows relative imports and names a missing file", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/chunks`);
    await Deno.writeTextFile(`${dir}/entry.mjs`, `import"./chunks/a.mjs";`);
    await Deno.writeTextFile(`${dir}/chunks/a.mjs`, `export const a=()=>import("./b.mjs");`);
    await Deno.writeTextFile(`${dir}/chunks/b.mjs`, `import"./a.mjs";export const b=1;`);
    await t.step("every reachable file, once, the entry first", () => {
      assert.deepEqual(moduleClosure(`${dir}/entry.mjs`), [
        `${dir}/entry.mjs`,
        `${dir}/chunks/a.mjs`,
        `${dir}/chunks/b.mjs`,
      ]);
    });
    await t.step("a missing chunk is an error naming the importer", async () => {
      await Deno.remove(`${dir}/chunks/b.mjs`);
      assert.throws(
        () => moduleClosure(`${dir}/entry.mjs`),
        new RegExp(`${dir}/chunks/a.mjs imports ./b.mjs, which is missing`),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("copyWebAssets() ships mermaid's ESM build with its chunks and plotly.js", async () => {
  const out = await Deno.makeTempDir();
  try {
    const urls = await copyWebAssets(out);
    assert.equal(urls.mermaid, "./assets/mermaid/mermaid.esm.min.mjs");
    assert.equal(urls.mermaidClassic, "./assets/mermaid/mermaid.min.js");
    assert.equal(urls.plotly, "./assets/plotly/plotly.min.js");
    assert.equal(urls.versions.mermaid, pinnedVersion("mermaid"));
    assert.equal(urls.versions["plotly.js-dist-min"], pinnedVersion("plotly.js-dist-min"));
    const reached = moduleClosure(`${out}/assets/mermaid/mermaid.esm.min.mjs`);
    assert.ok(reached.length > 10, `only ${reached.length} mermaid modules`);
    const classic = await Deno.readTextFile(`${out}/assets/mermaid/mermaid.min.js`);
    assert.match(classic, /globalThis\["mermaid"\]\s*=/);
    const plotly = await Deno.readTextFile(`${out}/assets/plotly/plotly.min.js`);
    assert.match(plotly, /window\.Plotly\s*=/);
    for (const license of ["mermaid/LICENSE", "plotly/LICENSE"]) {
      assert.match(await Deno.readTextFile(`${out}/assets/${license}`), /MIT/);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
