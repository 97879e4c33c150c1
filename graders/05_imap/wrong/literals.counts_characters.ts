// Mistake: decodes the bytes to a string first and counts the literal in characters, not octets.
export interface Frame {
  lines: string[];
  literals: Uint8Array[];
}

function readFrame(text: string, pos: number): { frame: Frame; end: number } | null {
  const frame: Frame = { lines: [], literals: [] };
  while (true) {
    const lf = text.indexOf("\n", pos);
    if (lf < 0) return null;
    const line = text.slice(pos, text[lf - 1] === "\r" ? lf - 1 : lf);
    frame.lines.push(line);
    pos = lf + 1;
    const marker = /\{(\d+)\}$/.exec(line);
    if (!marker) return { frame, end: pos };
    const size = Number(marker[1]);
    if (pos + size > text.length) return null;
    frame.literals.push(new TextEncoder().encode(text.slice(pos, pos + size)));
    pos += size;
  }
}

export function splitFrames(wire: Uint8Array): Frame[] {
  const text = new TextDecoder().decode(wire);
  const frames: Frame[] = [];
  let at = 0;
  while (at < text.length) {
    const next = readFrame(text, at);
    if (!next) break;
    frames.push(next.frame);
    at = next.end;
  }
  return frames;
}
