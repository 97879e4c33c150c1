/**
 * How the benchmarks write their results into the documents that quote them: each result
 * between its own marker lines, so that every figure there comes from the run that wrote
 * it, and the file formatted afterwards, as `deno fmt --check` (part of `deno task test`)
 * wants its tables.
 *
 * @module
 */

/**
 * Replace the block from `<!-- name:begin` to `<!-- name:end -->` in `file` with `block`,
 * which carries both marker lines again.
 *
 * @throws {Error} the file lacks the markers.
 */
export async function recordBlock(file: URL, name: string, block: string): Promise<void> {
  const marked = new RegExp(`<!-- ${name}:begin[\\s\\S]*?<!-- ${name}:end -->`);
  const text = await Deno.readTextFile(file);
  if (!marked.test(text)) {
    throw new Error(`Cannot update ${file.pathname}: the ${name} markers are missing`);
  }
  // A function, so that "$&" or "$1" in a result is written as it stands.
  await Deno.writeTextFile(file, text.replace(marked, () => block));
  await formatMarkdown(file);
}

/**
 * Replace what stands between the marker lines `begin` and `end` of `file` with `text`,
 * keeping the markers.
 *
 * @throws {Error} the file lacks the markers.
 */
export async function recordBetween(
  file: URL,
  begin: string,
  end: string,
  text: string,
): Promise<void> {
  const doc = await Deno.readTextFile(file);
  const at = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (at < 0 || stop < at) throw new Error(`Cannot record: ${file.pathname} lacks ${begin}`);
  await Deno.writeTextFile(
    file,
    doc.slice(0, at + begin.length) + "\n\n" + text + "\n\n" + doc.slice(stop),
  );
  await formatMarkdown(file);
}

/** `deno fmt` the files, with the Deno that runs the benchmark. */
async function formatMarkdown(...files: URL[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", ...files.map((f) => f.pathname)],
  }).output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
}
