/**
 * Property-based, differential checks: run the learner's function and the reference on
 * hundreds of generated inputs (fast-check), edge cases first, and on a disagreement show
 * the smallest input that still disagrees, as a call the learner can paste and try.
 *
 * A grader that asserts a handful of examples is easy to pass by accident; one that
 * compares with the reference on generated inputs (wrap-around at 2^32, odd lengths,
 * carries, empty and maximal values, lines starting with ".", CR and LF in odd places)
 * is not. The seed is fixed, so a failure is the same on every run.
 *
 * @module
 */

import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { isSubmissionError, show } from "./feedback.ts";

export { fc };

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

function outcome<A extends unknown[], R>(fn: (...args: A) => R, args: A): Outcome<R> {
  try {
    return { ok: true, value: fn(...args) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What to compare, and how to show a call. */
export interface Agreement<A extends unknown[], R> {
  /** Generated arguments, as a tuple. */
  inputs: fc.Arbitrary<A>;
  /** The learner's function (through the sandbox). */
  learner: (...args: A) => R;
  /** The reference behaviour. A reference that throws means "this input must be refused". */
  reference: (...args: A) => R;
  /** The call as the learner would write it: `(m) => \`stuffData(${show(m)})\``. */
  call: (...args: A) => string;
  /** Generated cases (default 300). */
  runs?: number;
  /** Cases tried before the generated ones. */
  examples?: A[];
  /** Whether two results agree (default: deep strict equality). */
  same?: (got: R, want: R) => boolean;
  /** Shows a result (default: `show`). */
  showResult?: (value: R) => string;
}

/** Thrown when the learner's function and the reference disagree. */
export class Disagreement extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Disagreement";
  }
}

/**
 * Check that the learner's function agrees with the reference on every generated input;
 * throws a {@linkcode Disagreement} naming the smallest input that does not.
 *
 * @example
 * ```ts
 * import { agrees, fc } from "./property.ts";
 * agrees({
 *   inputs: fc.tuple(fc.integer(), fc.integer()),
 *   learner: (a, b) => a + b,
 *   reference: (a, b) => b + a,
 *   call: (a, b) => `add(${a}, ${b})`,
 *   runs: 50,
 * });
 * ```
 */
export function agrees<A extends unknown[], R>(options: Agreement<A, R>): void {
  const same = options.same ?? isDeepStrictEqual;
  const showResult = options.showResult ?? ((value: R) => show(value, 300));
  const judge = (args: A): string | null => {
    const want = outcome(options.reference, args);
    const got = outcome(options.learner, args);
    if (!got.ok && !isSubmissionError(got.error)) throw got.error; // the sandbox, not the code
    if (!want.ok) {
      return got.ok
        ? `expected an Error (the input is not valid), but it returned ${showResult(got.value)}`
        : null;
    }
    if (!got.ok) {
      const error = got.error as Error;
      return `expected ${showResult(want.value)}, but it threw ${error.name}: ${error.message}`;
    }
    return same(got.value, want.value)
      ? null
      : `expected ${showResult(want.value)}, got ${showResult(got.value)}`;
  };
  const runs = options.runs ?? 300;
  const result = fc.check(
    fc.property(options.inputs, (args) => judge(args) === null),
    { numRuns: runs, seed: 20260101, examples: (options.examples ?? []).map((e) => [e]) },
  );
  if (!result.failed) return;
  if (result.errorInstance && !isSubmissionError(result.errorInstance)) {
    const error = result.errorInstance as Error;
    if (error.name !== "AssertionError") throw error;
  }
  const args = result.counterexample![0] as A;
  const why = judge(args) ?? "the results differ";
  throw new Disagreement(
    `${
      options.call(...args)
    }: ${why}\n(the smallest disagreeing case found among ${result.numRuns} tried)`,
  );
}

/** Text lines with the characters that matter to line protocols: ".", CR, LF, spaces. */
export function protocolText(options: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(".", "..", "\r\n", "\r\n.", "\n", "\r", " ", "") },
    { weight: 3, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 1, arbitrary: fc.constantFrom("é", "✉", "\t", "x.y") },
  );
  return fc.array(piece, { maxLength: options.maxLength ?? 12 }).map((parts) => parts.join(""));
}

/** Lines of text (no CR or LF inside), often starting with dots. */
export function protocolLines(maxLines = 8): fc.Arbitrary<string[]> {
  const line = fc.oneof(
    fc.constantFrom("", ".", "..", "...", ". ", ".x", "x.", " .", "+OK", "-ERR"),
    fc.string({ maxLength: 8 }).filter((s) => !/[\r\n]/.test(s)),
    fc.string({ maxLength: 6 }).filter((s) => !/[\r\n]/.test(s)).map((s) => `.${s}`),
  );
  return fc.array(line, { maxLength: maxLines });
}
