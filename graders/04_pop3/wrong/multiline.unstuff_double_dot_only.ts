// Mistake: un-stuffs only lines that start with two dots.
/** A response split off the received lines. */
export interface Multiline {
  /** The status line: "+OK ..." or "-ERR ...". */
  status: string;
  /** The body lines, un-stuffed, without the terminating ".". Empty after -ERR. */
  body: string[];
  /** Lines received after this response (a pipelining client reads ahead). */
  rest: string[];
}

/**
 * Read one multi-line response from `lines` (each without CRLF).
 *
 * @throws {Error} the lines are empty, the first is not a status line, or the body has no
 * terminating ".".
 */
export function readMultiline(lines: string[]): Multiline {
  const [status, ...after] = lines;
  if (status === undefined) throw new Error("Cannot read response: no lines");
  if (status.startsWith("-ERR")) return { status, body: [], rest: after };
  if (!status.startsWith("+OK")) throw new Error(`Cannot read response: bad status line ${status}`);
  const body: string[] = [];
  for (let i = 0; i < after.length; i++) {
    const line = after[i];
    if (line === ".") return { status, body, rest: after.slice(i + 1) };
    body.push(line.startsWith("..") ? line.slice(1) : line);
  }
  throw new Error("Cannot read response: the body has no terminating '.' line");
}

/** The lines to send for `body`: each starting "." gets another, then the "." line. */
export function stuff(body: string[]): string[] {
  return [...body.map((line) => line.startsWith(".") ? "." + line : line), "."];
}
