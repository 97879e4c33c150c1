/**
 * Wrong: an IMAP literal splitter that counts characters, not octets.
 *
 * @module
 */

import type { JourneyPieces } from "../../../lib/journey/pieces.ts";
import { ownPieces as right } from "../../../solutions/06_journey/own_pieces.ts";
import { splitFrames } from "../../05_imap/wrong/literals.counts_characters.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return { ...right(), splitFrames };
}
