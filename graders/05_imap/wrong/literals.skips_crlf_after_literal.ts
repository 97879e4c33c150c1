// Mistake: skips two bytes after each literal, as if a CRLF always followed it.
/** One response: lines with the literals that sat between them. */
export interface Frame {
  /** Text lines without CRLF; each but the last ends with "{n}". */
  lines: string[];
  /** The literals' octets, in order (`lines.length === literals.length + 1`). */
  literals: Uint8Array[];
}

/** The frame starting at `pos` and where it ends, or null if it is still arriving. */
function readFrame(wire: Uint8Array, pos: number): { frame: Frame; end: number } | null {
  const decoder = new TextDecoder();
  const frame: Frame = { lines: [], literals: [] };
  while (true) {
    const lf = wire.indexOf(0x0a, pos);
    if (lf < 0) return null; // the line is still arriving
    const end = lf > pos && wire[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = decoder.decode(wire.subarray(pos, end));
    frame.lines.push(line);
    pos = lf + 1;
    const marker = /\{(\d+)\}$/.exec(line);
    if (!marker) return { frame, end: pos };
    const size = Number(marker[1]); // octets, not characters
    if (pos + size > wire.length) return null; // the literal is still arriving
    frame.literals.push(wire.slice(pos, pos + size));
    pos += size + 2;
  }
}

/** Split received bytes into complete response frames. */
export function splitFrames(wire: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < wire.length) {
    const next = readFrame(wire, at);
    if (!next) break;
    frames.push(next.frame);
    at = next.end;
  }
  return frames;
}
