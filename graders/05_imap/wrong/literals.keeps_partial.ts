// Mistake: returns the last response even when its literal has not fully arrived.
export interface Frame {
  lines: string[];
  literals: Uint8Array[];
}

export function splitFrames(wire: Uint8Array): Frame[] {
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let at = 0;
  while (at < wire.length) {
    const frame: Frame = { lines: [], literals: [] };
    let pos = at;
    while (pos < wire.length) {
      let lf = wire.indexOf(0x0a, pos);
      if (lf < 0) lf = wire.length;
      const end = lf > pos && wire[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = decoder.decode(wire.subarray(pos, end));
      frame.lines.push(line);
      pos = lf + 1;
      const marker = /\{(\d+)\}$/.exec(line);
      if (!marker) break;
      const size = Number(marker[1]);
      frame.literals.push(wire.slice(pos, Math.min(wire.length, pos + size)));
      pos += size;
    }
    frames.push(frame);
    at = pos;
  }
  return frames;
}
