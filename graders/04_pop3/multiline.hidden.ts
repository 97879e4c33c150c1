/**
 * Hidden checks for POP3 multi-line responses: generated bodies full of dots, judged by
 * the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc, protocolLines } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { readMultiline, stuff } from "../../solutions/04_pop3/multiline.ts";

type Impl = typeof import("../../exercises/04_pop3/multiline.ts");

const status = fc.constantFrom(
  "+OK",
  "+OK 2 messages",
  "-ERR no such message",
  "+OK ",
  "250 OK",
  "",
);
const responses = fc.tuple(status, protocolLines(), fc.boolean(), protocolLines(3)).map(
  ([s, body, terminated, rest]) =>
    [[s, ...body, ...(terminated ? ["."] : []), ...rest]] as [string[]],
);

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "readMultiline() agrees with the reference on 300 generated responses",
    points: 2,
    hint:
      'Only a line that is exactly "." ends the body; every other line starting with "." loses one dot.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: responses,
        examples: [[["+OK", ". ", "."]], [["+OK", "..x", "."]], [["+OK", ".", "."]]],
        learner: (l) => impl.readMultiline(l),
        reference: readMultiline,
        call: (l) => `readMultiline(${show(l, 300)})`,
      }),
  },
  {
    name: "stuff() agrees with the reference on 300 generated bodies",
    points: 1,
    hint: 'Every line that starts with "." gets one more, not only the line ".".',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: protocolLines().map((b) => [b] as [string[]]),
        learner: (b) => impl.stuff(b),
        reference: stuff,
        call: (b) => `stuff(${show(b, 300)})`,
      }),
  },
];
