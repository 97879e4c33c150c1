// Mistake: leaves the reply's last line in rest as well.
/** One reply split off the received lines. */
export interface ReadReply {
  /** The three-digit code, e.g. 250. */
  code: number;
  /** The text of each line, without code and separator. */
  lines: string[];
  /** Lines received after this reply. */
  rest: string[];
}

/** Read one reply from `lines` (each without CRLF). */
export function readReply(lines: string[]): ReadReply {
  if (lines.length === 0) throw new Error("Cannot read reply: no lines");
  let code = 0;
  const texts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\d{3})([ -]|$)(.*)$/s.exec(lines[i]);
    if (!match) throw new Error(`Cannot read reply: bad line ${JSON.stringify(lines[i])}`);
    const lineCode = Number(match[1]);
    if (i === 0) code = lineCode;
    else if (lineCode !== code) {
      throw new Error(`Cannot read reply: code ${lineCode} differs from ${code}`);
    }
    texts.push(match[3]);
    if (match[2] !== "-") return { code, lines: texts, rest: lines.slice(i) };
  }
  throw new Error("Cannot read reply: the last line never came");
}
