/**
 * Wrong: a POP3 reader that strips every leading dot instead of one.
 *
 * @module
 */

import type { JourneyPieces } from "../../../lib/journey/pieces.ts";
import { ownPieces as right } from "../../../solutions/06_journey/own_pieces.ts";
import { readMultiline } from "../../04_pop3/wrong/multiline.strip_all_dots.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return { ...right(), readMultiline };
}
