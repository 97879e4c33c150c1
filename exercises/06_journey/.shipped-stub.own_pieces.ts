/**
 * Exercise: your own pieces in the journey (chapter 6).
 *
 * The chain of chapter 6 has slots where a learner's code takes over from the course's
 * (`lib/journey/pieces.ts` lists them with the type each expects). Each slot has the
 * signature of an exercise you wrote in chapters 3 to 5, imported below from your own
 * files. Return your pieces from `ownPieces()`: every slot filled with yours.
 *
 * The grader then sends generated letters (lines starting with dots, 8-bit text, long
 * lines) through the whole chain with your pieces in place: your SMTP client carries
 * them to b.test's gateway (Postfix, where it runs), your MX walk chooses that gateway,
 * your POP3 reader and your IMAP literal splitter read them back. Every copy must match
 * the Maildir file byte for byte. So this passes when your earlier pieces are right
 * *together*, in a real chain: fix them in their own files when it fails.
 *
 * Check your work with `deno task grade 06_journey`.
 *
 * @module
 */

import { todo } from "../../lib/grading/exercise.ts";
import type { JourneyPieces } from "../../lib/journey/pieces.ts";
import * as smtpClient from "../03_smtp/mini_client.ts";
import * as mx from "../03_smtp/mx_choice.ts";
import * as pop3 from "../04_pop3/multiline.ts";
import * as imap from "../05_imap/literals.ts";

/** Your pieces, one per slot of the journey. */
export function ownPieces(): Partial<JourneyPieces> {
  // TODO: one entry per slot of JourneyPieces, each a function from your own modules.
  void [smtpClient, mx, pop3, imap];
  throw todo("ownPieces(): put your pieces into the journey's slots");
}
