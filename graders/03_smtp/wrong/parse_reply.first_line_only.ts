// Mistake: reads only the first line, as if every reply were one line long.
/** One reply split off the received lines. */
export interface ReadReply {
  code: number;
  lines: string[];
  rest: string[];
}

/** Read one reply from `lines`. */
export function readReply(lines: string[]): ReadReply {
  if (lines.length === 0) throw new Error("no lines");
  const match = /^(\d{3})([ -]|$)(.*)$/.exec(lines[0]);
  if (!match) throw new Error("bad line");
  return { code: Number(match[1]), lines: [match[3]], rest: lines.slice(1) };
}
