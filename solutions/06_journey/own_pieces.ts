/**
 * Your own pieces in the journey (chapter 6): each slot takes the exercise with its
 * signature. From solutions/, the same relative imports reach the reference answers.
 *
 * @module
 */

import type { JourneyPieces } from "../../lib/journey/pieces.ts";
import * as smtpClient from "../03_smtp/mini_client.ts";
import * as mx from "../03_smtp/mx_choice.ts";
import * as pop3 from "../04_pop3/multiline.ts";
import * as imap from "../05_imap/literals.ts";

/** Your pieces, one per slot of the journey. */
export function ownPieces(): Partial<JourneyPieces> {
  return {
    deliver: smtpClient.deliver,
    nextStep: mx.nextStep,
    readMultiline: pop3.readMultiline,
    splitFrames: imap.splitFrames,
  };
}
