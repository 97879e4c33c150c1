// Mistake: never compares the codes of continuation lines, and accepts a reply whose last line never came.
/** One reply split off the received lines. */
export interface ReadReply {
  code: number;
  lines: string[];
  rest: string[];
}

/** Read one reply from `lines`. */
export function readReply(lines: string[]): ReadReply {
  if (lines.length === 0) throw new Error("no lines");
  const texts: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const match = /^(\d{3})([ -]|$)(.*)$/.exec(lines[i]);
    if (!match) throw new Error("bad line");
    texts.push(match[3]);
    if (match[2] !== "-") break;
  }
  return { code: Number(lines[0].slice(0, 3)), lines: texts, rest: lines.slice(i + 1) };
}
