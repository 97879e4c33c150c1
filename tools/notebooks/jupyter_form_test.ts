import assert from "node:assert/strict";
import { ensureVenv, VENV_PYTHON } from "../venv.ts";
import { formProblem, jupyterLabForm, KERNELSPEC, splitLinesKeepEnds } from "./jupyter_form.ts";

/** A notebook with what trips a hand-written serialiser: every Python line break, CJK, controls. */
const TRICKY = {
  metadata: {
    title: "ä ✓ 中文",
    kernelspec: { name: "deno" },
    orig_nbformat: 3,
    z: { b: 1, a: [] },
  },
  nbformat: 4,
  nbformat_minor: 5,
  cells: [
    {
      id: "c1",
      cell_type: "markdown",
      metadata: { trusted: true, tags: ["x"] },
      source: "# 处于应用层的下层\r\nCR\ronly\vVT\fFF\x1cFS\x85NEL\u2028LS\u2029PS\n\n",
    },
    {
      id: "c2",
      cell_type: "code",
      metadata: {},
      source: "",
      outputs: [{ x: 1 }],
      execution_count: 3,
    },
    { id: "c3", cell_type: "raw", metadata: {}, source: ["a\n", "b"] },
    { id: "c4", cell_type: "code", metadata: {}, source: 'const s = "\\u0000\t\x01\x7f";\n' },
  ],
};

Deno.test("splitLinesKeepEnds() splits where Python's str.splitlines(True) splits", async () => {
  await ensureVenv({ quiet: true });
  const text = TRICKY.cells[0].source as string;
  const out = await new Deno.Command(VENV_PYTHON, {
    args: ["-c", "import json,sys; print(json.dumps(sys.stdin.read().splitlines(True)))"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { stdout } = await out.output();
  assert.deepEqual(splitLinesKeepEnds(text), JSON.parse(new TextDecoder().decode(stdout)));
});

Deno.test("jupyterLabForm() writes what nbformat.write writes for the same notebook", async () => {
  await ensureVenv({ quiet: true });
  const ours = jupyterLabForm(JSON.stringify(TRICKY));
  // Give nbformat the notebook as JupyterLab hands it to the server: metadata set, outputs cleared.
  const input = JSON.parse(ours);
  for (const cell of input.cells) cell.source = cell.source.join("");
  input.metadata.orig_nbformat = 3;
  input.cells[0].metadata.trusted = true;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.json`, JSON.stringify(input));
    const result = await new Deno.Command(VENV_PYTHON, {
      args: [
        "-c",
        "import nbformat,sys; nb=nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT); " +
        "nbformat.write(nb, sys.argv[2], version=nbformat.NO_CONVERT)",
        `${dir}/in.json`,
        `${dir}/out.ipynb`,
      ],
    }).output();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    assert.equal(ours, await Deno.readTextFile(`${dir}/out.ipynb`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("jupyterLabForm() sets the kernel's metadata, clears outputs and gives every cell an id", () => {
  const notebook = JSON.parse(
    jupyterLabForm(JSON.stringify({
      ...TRICKY,
      nbformat_minor: 4,
      // Cells without an id, and one id twice.
      cells: [...TRICKY.cells.map(({ id: _, ...cell }) => cell), TRICKY.cells[1], TRICKY.cells[1]],
    })),
  );
  assert.deepEqual(notebook.metadata.kernelspec, KERNELSPEC);
  assert.equal(notebook.metadata.language_info.version, Deno.version.typescript);
  assert.equal(notebook.metadata.orig_nbformat, undefined);
  assert.equal(notebook.nbformat_minor, 5);
  const ids = notebook.cells.map((c: { id: string }) => c.id);
  assert.equal(new Set(ids).size, ids.length, "ids are unique");
  for (const id of ids) assert.match(id, /^[a-zA-Z0-9_-]{1,64}$/);
  for (const cell of notebook.cells.filter((c: { cell_type: string }) => c.cell_type === "code")) {
    assert.deepEqual([cell.outputs, cell.execution_count], [[], null]);
  }
});

Deno.test("formProblem() names the first differing line and the task that fixes it", () => {
  const good = jupyterLabForm(JSON.stringify(TRICKY));
  assert.equal(formProblem(good), null);
  const bad = good.replace('"nbformat_minor": 5', '"nbformat_minor": 4');
  const problem = formProblem(bad)!;
  assert.match(problem, /from line \d+: " *\\"nbformat_minor\\": 4"/);
  assert.match(problem, /run `deno task fmt-notebooks`/);
  assert.match(formProblem(good.trimEnd())!, /\(end of file\)/);
});
