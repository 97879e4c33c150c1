/**
 * Hidden checks for reading SMTP replies: generated replies, spaces kept, junk lines
 * refused, judged by the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { readReply } from "../../solutions/03_smtp/parse_reply.ts";

type Impl = typeof import("../../exercises/03_smtp/parse_reply.ts");

const code = fc.oneof(
  fc.constantFrom("250", "354", "550", "221"),
  fc.integer({ min: 200, max: 599 }).map(String),
);
const text = fc.oneof(
  fc.constantFrom("", " ", "  spaced  ", "2.1.0 Ok", "PIPELINING", "- dash", "250 inside"),
  fc.string({ maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)),
);
/** A reply's lines: the same code, "-" on all but the last, sometimes broken on purpose. */
const reply = fc.tuple(code, fc.array(text, { minLength: 1, maxLength: 4 }), fc.boolean()).map(
  ([c, texts, spaceLast]) =>
    texts.map((t, i) =>
      i < texts.length - 1 ? `${c}-${t}` : t === "" && !spaceLast ? c : `${c} ${t}`
    ),
);
const junk = fc.constantFrom("25 ok", "2500 ok", "abc", "", "250x", "250-", " 250 ok", "２５０ ok");
const lines = fc.tuple(
  reply,
  fc.array(fc.oneof(reply, junk.map((j) => [j])), { maxLength: 2 }),
  fc.boolean(),
  junk,
)
  .map(([first, more, broken, bad]) => {
    const all = [...first, ...more.flat()];
    return [broken ? [bad, ...all] : all] as [string[]];
  });

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "readReply() agrees with the reference on 300 generated replies, junk included",
    points: 2,
    hint:
      'Exactly three digits, then "-", " " or the end of the line; the text is everything after the separator, spaces included.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: lines,
        learner: (l) => impl.readReply(l),
        reference: readReply,
        call: (l) => `readReply(${show(l, 300)})`,
      }),
  },
];
