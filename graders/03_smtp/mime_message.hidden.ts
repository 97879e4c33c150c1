/**
 * Hidden checks for the subject encoder and the multipart builder: more and larger
 * generated cases, read back by Python's email package.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { seededRandom } from "../seeded_random.ts";
import {
  assertReadBack,
  assertSubjectLengths,
  assertWireRules,
  generateLetter,
  generateSubject,
  pythonReads,
} from "./mime_message.grader.ts";

type Impl = typeof import("../../exercises/03_smtp/mime_message.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "400 more generated subjects, emoji and long ones included, read back exactly",
    points: 2,
    hint: "Emoji are 4 bytes in UTF-8 and two units in a JavaScript string.",
    timeoutMs: 15_000,
    run: async (impl) => {
      const random = seededRandom(9331);
      const subjects = Array.from({ length: 400 }, () => generateSubject(random, 60));
      subjects.forEach((s) => assertSubjectLengths(impl.encodeSubject(s), s));
      const judged = await pythonReads(
        subjects.map((s) => `Subject: ${impl.encodeSubject(s)}\r\n\r\n`),
      );
      subjects.forEach((s, i) => {
        if (judged[i].subject !== s) {
          throw new Error(`${JSON.stringify(s)} read back as ${judged[i].subject}`);
        }
      });
    },
  },
  {
    name: "letters with 100 KB attachments read back byte for byte",
    points: 2,
    hint: "Large parts need the same care: every base64 line 76 characters at most.",
    timeoutMs: 15_000,
    run: async (impl) => {
      const random = seededRandom(9332);
      const letters = Array.from({ length: 6 }, () => generateLetter(random, 100_000));
      const messages = letters.map((l) => impl.buildMultipart(l));
      messages.forEach(assertWireRules);
      const judged = await pythonReads(messages);
      letters.forEach((letter, i) => assertReadBack(judged[i], letter));
    },
  },
];
