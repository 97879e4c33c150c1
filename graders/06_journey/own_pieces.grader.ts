/**
 * Grader for chapter 6's exercise: the learner's pieces carry generated letters through
 * the whole chain (lib/journey), and every copy is compared with the Maildir file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defineExercise } from "../../lib/grading/exercise.ts";
import {
  COURSE_PIECES,
  type JourneyOptions,
  type JourneyPieces,
  type JourneyRun,
  runJourney,
  sampleMessage,
  traceAgainstTimeline,
} from "../../lib/journey/mod.ts";
import { seededRandom } from "../seeded_random.ts";

type Impl = typeof import("../../exercises/06_journey/own_pieces.ts");

const SLOTS = Object.keys(COURSE_PIECES) as (keyof JourneyPieces)[];
const decoder = new TextDecoder();

/** A generated letter: lines with leading dots, a lone dot, 8-bit text, a long line. */
export function generatedLetter(seed: number): string {
  const random = seededRandom(seed);
  const words = ["mail", "hop", "relay", "你好", "Grüße", "ünïcødé", "…", "x", "MX", "250"];
  const body = Array.from({ length: random.int(4, 14) }, () => {
    const line = Array.from({ length: random.int(0, 9) }, () => random.pick(words)).join(" ");
    return random.pick(["", ".", "..", ". "]) + line;
  });
  body.splice(random.int(0, body.length), 0, ".");
  body.splice(random.int(0, body.length), 0, "y".repeat(random.int(200, 990)));
  return sampleMessage({ id: `graded-${seed}`, body });
}

/** The pieces, checked to be functions; a stub's TODO surfaces here. */
function piecesOf(impl: Impl): Partial<JourneyPieces> {
  const pieces = impl.ownPieces();
  assert.ok(pieces && typeof pieces === "object", "ownPieces() returns an object");
  return pieces;
}

/** One journey with the learner's pieces, and the comparison of every copy. */
export async function journeyWith(
  impl: Impl,
  seed: number,
  // Healthy hops take milliseconds: short deadlines make a stuck piece fail fast.
  options: JourneyOptions = { gateway: "ours" },
): Promise<JourneyRun> {
  const letter = generatedLetter(seed);
  const pieces = piecesOf(impl);
  let run: JourneyRun;
  try {
    run = await runJourney(letter, { ...options, pieces, timeoutMs: 1500 });
  } catch (error) {
    // Say which part of the chain stopped, in the journey's words, not as a bare timeout.
    throw new Error(`The letter's journey stopped: ${(error as Error).message}`);
  }
  const stored = decoder.decode(run.landing.bytes);
  assert.ok(
    stored.endsWith(letter),
    "the letter in Bob's Maildir is not what Alice sent: compare the bodies line by line (dots?)",
  );
  assert.equal(
    decoder.decode(run.pop3.bytes),
    stored,
    "the POP3 copy differs from the Maildir file",
  );
  assert.equal(
    decoder.decode(run.imap.bytes),
    stored,
    "the IMAP copy differs from the Maildir file",
  );
  return run;
}

export default defineExercise<Impl>({
  title: "Your pieces in the whole journey",
  hints: [
    "Return an object with the four keys of JourneyPieces (lib/journey/pieces.ts): deliver, nextStep, readMultiline, splitFrames.",
    "Each value is the function of the same name from your own module: smtpClient.deliver, mx.nextStep, pop3.readMultiline, imap.splitFrames.",
    "If the letter arrives changed, the culprit is one of your earlier exercises: grade them one by one (deno task grade 03_smtp, 04_pop3, 05_imap) and look at dots, octets versus characters, and the last line.",
  ],
  checks: [
    {
      name: "ownPieces() fills every slot with your own functions",
      points: 1,
      hint: "All four slots; none of them the course's own function.",
      run: (impl) => {
        const pieces = piecesOf(impl);
        for (const slot of SLOTS) {
          assert.equal(typeof pieces[slot], "function", `slot ${slot} is not filled`);
          assert.notEqual(
            pieces[slot],
            COURSE_PIECES[slot],
            `slot ${slot} holds the course's piece`,
          );
        }
      },
    },
    {
      name: "generated letters cross the chain with your pieces and arrive byte for byte",
      points: 4,
      hint:
        "Your SMTP client must dot-stuff, your POP3 reader un-stuff, your IMAP splitter count octets.",
      timeoutMs: 30_000,
      run: async (impl) => {
        for (const seed of [601, 602, 603]) await journeyWith(impl, seed);
      },
    },
    {
      name: "your MX walk falls back from mx1.b.test to mx2.b.test",
      points: 1,
      hint: "mx1.b.test (preference 10) is down: nextStep must move on to mx2.b.test.",
      timeoutMs: 15_000,
      run: async (impl) => {
        const run = await journeyWith(impl, 604);
        assert.deepEqual(run.attempts.map((a) => [a.exchange, a.outcome]), [
          ["mx1.b.test", "down"],
          ["mx2.b.test", "delivered"],
        ]);
      },
    },
    {
      name: "each Received: line agrees with the recorded timeline",
      points: 1,
      hint: "Send the whole message, then read the 250 reply before QUIT.",
      timeoutMs: 15_000,
      run: async (impl) => {
        const run = await journeyWith(impl, 605);
        const hops = traceAgainstTimeline(run.landing.bytes, run.recorder);
        assert.equal(hops.length, 3);
        assert.ok(hops.every((h) => h.agrees), JSON.stringify(hops.map((h) => h.received.text)));
      },
    },
  ],
});
