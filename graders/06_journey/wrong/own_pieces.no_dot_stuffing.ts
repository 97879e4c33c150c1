/**
 * Wrong: an SMTP client that does not dot-stuff, in an otherwise right set of pieces.
 *
 * @module
 */

import type { JourneyPieces } from "../../../lib/journey/pieces.ts";
import { ownPieces as right } from "../../../solutions/06_journey/own_pieces.ts";
import { deliver } from "../../03_smtp/wrong/mini_client.no_dot_stuffing.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return { ...right(), deliver };
}
