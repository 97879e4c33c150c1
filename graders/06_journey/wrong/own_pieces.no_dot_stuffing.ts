/**
 * Wrong: an SMTP client that sends the message without dot-stuffing, so the server takes
 * one leading dot off each line that starts with one (the other slots are right).
 *
 * @module
 */

import { COURSE_PIECES, type JourneyPieces } from "../../../lib/journey/pieces.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return {
    // What arrives is what an unstuffed client delivers: one leading dot less per line.
    deliver: (port, from, to, message) =>
      COURSE_PIECES.deliver(port, from, to, message.replace(/^\./gm, "")),
    nextStep: (...args) => COURSE_PIECES.nextStep(...args),
    readMultiline: (lines) => COURSE_PIECES.readMultiline(lines),
    splitFrames: splitFrames,
  };
}

/** A right literal splitter (RFC 3501 4.3: literals counted in octets). */
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
      } else if (pos + Number(size[1]) > wire.length) {
        more = false;
      } else {
        frame.literals.push(wire.slice(pos, pos + Number(size[1])));
        pos += Number(size[1]);
      }
    }
    if (!complete) break;
    frames.push(frame);
    at = pos;
  }
  return frames;
}
