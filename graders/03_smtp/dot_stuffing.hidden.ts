/**
 * Hidden checks for dot-stuffing: generated messages with dots, bare CR and LF, and
 * generated blocks, valid or not, judged by the reference.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc, protocolText } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { stuffData, unstuffData } from "../../solutions/03_smtp/dot_stuffing.ts";

type Impl = typeof import("../../exercises/03_smtp/dot_stuffing.ts");

export const hiddenChecks: Check<Impl>[] = [
  {
    name: "stuffData() agrees with the reference on 300 generated messages",
    points: 2,
    hint:
      'Lines are separated by CRLF only: a bare "\\n" or "\\r" is part of a line, and a dot after it is not at the start of a line.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: protocolText().map((m) => [m] as [string]),
        examples: [["a\n.b\r\n"], [".\r\n"], ["\r\n"], ["x\r"], [".."]],
        learner: (m) => impl.stuffData(m),
        reference: stuffData,
        call: (m) => `stuffData(${show(m)})`,
      }),
  },
  {
    name:
      "unstuffData() agrees with the reference on 300 generated blocks, and refuses broken ones",
    points: 2,
    hint:
      'The block must end with "\\r\\n.\\r\\n" (or be exactly ".\\r\\n"): a "." that is not on a line of its own is not the end.',
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: fc.oneof(
          protocolText().map((m) => stuffData(m)),
          protocolText().map((m) => `${m}.\r\n`),
          protocolText(),
        ).map((b) => [b] as [string]),
        examples: [["x.\r\n"], ["a\n.\r\n"], ["..\r\n.\r\n"], ["\r\n.\r\n"]],
        learner: (b) => impl.unstuffData(b),
        reference: unstuffData,
        call: (b) => `unstuffData(${show(b)})`,
      }),
  },
];
