/**
 * The IMAP benchmarks' one-line summaries in the project's README.md, each between its
 * own markers, so that the numbers the README quotes come from the run that wrote them.
 *
 * @module
 */

const README = new URL("../../README.md", import.meta.url);

/**
 * Replace the summary `name` (between `<!-- BEGIN imap <name> summary ... -->` and
 * `<!-- END imap <name> summary -->`) with `line`.
 *
 * @throws {Error} README.md lacks the markers.
 */
export async function recordSummary(name: string, writer: string, line: string): Promise<void> {
  const begin = `<!-- BEGIN imap ${name} summary (written by ${writer}) -->`;
  const end = `<!-- END imap ${name} summary -->`;
  const text = await Deno.readTextFile(README);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`Cannot record: README.md lacks ${begin}`);
  await Deno.writeTextFile(
    README,
    text.slice(0, from + begin.length) + "\n\n" + line + "\n\n" + text.slice(to),
  );
}
