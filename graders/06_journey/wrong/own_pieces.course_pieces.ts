/**
 * Wrong: hands in the course's own pieces instead of the learner's.
 *
 * @module
 */

import { COURSE_PIECES, type JourneyPieces } from "../../../lib/journey/pieces.ts";

export function ownPieces(): Partial<JourneyPieces> {
  return { ...COURSE_PIECES };
}
