/**
 * The IMAP benchmarks' one-line summaries in the project's README.md, each between its
 * own markers, so that the numbers the README quotes come from the run that wrote them.
 *
 * @module
 */

import { recordBetween } from "../record.ts";

const README = new URL("../../README.md", import.meta.url);

/**
 * Replace the summary `name` (between `<!-- BEGIN imap <name> summary ... -->` and
 * `<!-- END imap <name> summary -->`) with `line`.
 *
 * @throws {Error} README.md lacks the markers.
 */
export function recordSummary(name: string, writer: string, line: string): Promise<void> {
  return recordBetween(
    README,
    `<!-- BEGIN imap ${name} summary (written by ${writer}) -->`,
    `<!-- END imap ${name} summary -->`,
    line,
  );
}
