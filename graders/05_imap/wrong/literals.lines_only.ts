// Mistake: splits on every CRLF and ignores {n} literals, so a body's own lines become responses.
export interface Frame {
  lines: string[];
  literals: Uint8Array[];
}

export function splitFrames(wire: Uint8Array): Frame[] {
  const text = new TextDecoder().decode(wire);
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  return complete.split("\r\n").filter((l) => l !== "").map((line) => ({
    lines: [line],
    literals: [],
  }));
}
