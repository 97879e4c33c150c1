// Mistake: cuts the text after the code but keeps the separator, so lines read "-PIPELINING" and " SIZE 1000".
/** One reply split off the received lines. */
export interface ReadReply {
  code: number;
  lines: string[];
  rest: string[];
}

/** Read one reply from `lines`. */
export function readReply(lines: string[]): ReadReply {
  if (lines.length === 0) throw new Error("no lines");
  const code = Number(lines[0].slice(0, 3));
  const texts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\d{3}([ -]|$)/.test(lines[i])) throw new Error("bad line");
    if (Number(lines[i].slice(0, 3)) !== code) throw new Error("mixed codes");
    texts.push(lines[i].slice(3));
    if (lines[i][3] !== "-") return { code, lines: texts, rest: lines.slice(i + 1) };
  }
  throw new Error("no last line");
}
