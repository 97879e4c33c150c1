/**
 * Hidden checks for numbering a trace: generated traces (SYN, data, FIN with and without
 * data, pure ACKs, ISNs near 2^32), judged by the reference numbering.
 *
 * @module
 */

import type { Check } from "../../lib/grading/exercise.ts";
import { agrees, fc } from "../../lib/grading/property.ts";
import { show } from "../../lib/grading/feedback.ts";
import { numberTrace } from "../../solutions/02_tcp/seq_ack.ts";

type Impl = typeof import("../../exercises/02_tcp/seq_ack.ts");
type TraceStep = Parameters<Impl["numberTrace"]>[2][number];

const isn = fc.oneof(
  fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0xfffffff0, 0xffffff00),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const step: fc.Arbitrary<TraceStep> = fc.record({
  from: fc.constantFrom("client" as const, "server" as const),
  syn: fc.constant(false),
  ack: fc.constant(true),
  fin: fc.boolean(),
  payloadLength: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
});
/** A handshake, then generated segments. */
const traces = fc.tuple(isn, isn, fc.array(step, { maxLength: 10 })).map(
  ([client, server, rest]) =>
    [client, server, [
      { from: "client", syn: true, ack: false, fin: false, payloadLength: 0 },
      { from: "server", syn: true, ack: true, fin: false, payloadLength: 0 },
      { from: "client", syn: false, ack: true, fin: false, payloadLength: 0 },
      ...rest,
    ]] as [number, number, TraceStep[]],
);

export const hiddenChecks: Check<Impl>[] = [
  {
    name:
      "numberTrace() numbers 300 generated traces right, FINs with data and wrap-around included",
    points: 3,
    hint:
      "A segment uses payloadLength numbers, plus one for SYN and one for FIN, whatever else it carries; a pure ACK uses none; all modulo 2^32.",
    timeoutMs: 20_000,
    run: (impl) =>
      agrees({
        inputs: traces,
        learner: (c, s, steps) => impl.numberTrace(c, s, steps),
        reference: numberTrace,
        call: (c, s, steps) => `numberTrace(${c}, ${s}, ${show(steps, 600)})`,
      }),
  },
];
