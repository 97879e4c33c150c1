/**
 * Wrong: an IMAP literal splitter that counts the literal's size in characters, not
 * octets (the other slots are right).
 *
 * @module
 */

import { COURSE_PIECES, type JourneyPieces } from "../../../lib/journey/pieces.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return {
    deliver: (...args) => COURSE_PIECES.deliver(...args),
    nextStep: (...args) => COURSE_PIECES.nextStep(...args),
    readMultiline: (lines) => COURSE_PIECES.readMultiline(lines),
    splitFrames: splitFrames,
  };
}

/** A literal splitter that takes {n} as n characters of the decoded text. */
function splitFrames(wire: Uint8Array) {
  const frames: { lines: string[]; literals: Uint8Array[] }[] = [];
  let at = 0;
  while (at < wire.length) {
    const frame = { lines: [] as string[], literals: [] as Uint8Array[] };
    let pos = at, complete = false, more = true;
    while (more) {
      const lf = wire.indexOf(0x0a, pos);
      if (lf < 0) break;
      const line = new TextDecoder().decode(wire.subarray(pos, lf)).replace(/\r$/, "");
      frame.lines.push(line);
      pos = lf + 1;
      const size = /\{(\d+)\}$/.exec(line);
      if (!size) {
        complete = true;
        more = false;
      } else {
        const text = new TextDecoder().decode(wire.subarray(pos));
        const chars = text.slice(0, Number(size[1]));
        if (chars.length < Number(size[1])) {
          more = false;
        } else {
          const bytes = new TextEncoder().encode(chars);
          frame.literals.push(bytes);
          pos += bytes.length;
        }
      }
    }
    if (!complete) break;
    frames.push(frame);
    at = pos;
  }
  return frames;
}
