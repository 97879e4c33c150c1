/**
 * Why a check failed, in the learner's terms.
 *
 * A failed `node:assert` assertion carries the values it compared; its own message
 * ("The input did not match the regular expression /550/. Input: ...") speaks of
 * the assertion library. Here it becomes "expected …, got …" with the grader's own
 * description in front. An error thrown by the learner's code is named as such,
 * with the function that threw it.
 *
 * @module
 */

/** Marks an error that the learner's code threw (it crossed from the sandbox). */
export const FROM_SUBMISSION: unique symbol = Symbol("thrown by the submission");

/** An error with the name of the learner's call that threw it. */
export interface SubmissionError extends Error {
  [FROM_SUBMISSION]: string;
}

/** Whether the learner's code threw this error. */
export function isSubmissionError(error: unknown): error is SubmissionError {
  return error instanceof Error && FROM_SUBMISSION in error;
}

/** A value as a learner would write it, cut to a readable length. */
export function show(value: unknown, max = 160): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (value instanceof Uint8Array) {
    text = `bytes [${[...value.subarray(0, 24)].join(", ")}${value.length > 24 ? ", …" : ""}]`;
  } else if (value instanceof Set) text = `Set ${show([...value], max)}`;
  else if (value instanceof Map) text = `Map ${show([...value], max)}`;
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = `a function`;
  else if (value === undefined) text = "undefined";
  else if (value instanceof RegExp) text = String(value);
  else if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else {
    try {
      text = JSON.stringify(value, (_, v) =>
        v instanceof Uint8Array ? `bytes(${v.length})` : v instanceof Set ? [...v] : v) ??
        String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface AssertionLike extends Error {
  code: "ERR_ASSERTION";
  actual: unknown;
  expected: unknown;
  operator: string;
  generatedMessage: boolean;
}

function isAssertion(error: unknown): error is AssertionLike {
  return error instanceof Error && (error as { code?: string }).code === "ERR_ASSERTION";
}

const EQUALITY = new Set([
  "strictEqual",
  "deepStrictEqual",
  "equal",
  "deepEqual",
  "==",
  "===",
]);

/** The failure of an assertion, in plain words. */
function assertionText(error: AssertionLike): string {
  const said = error.generatedMessage ? "" : error.message.split("\n")[0]
    .replace(/^Missing expected (rejection|exception)\.?:?\s*/, "");
  const { actual, expected, operator } = error;
  let plain: string;
  if (EQUALITY.has(operator) && !(operator === "==" && expected === true)) {
    plain = `expected ${show(expected)}, got ${show(actual)}`;
  } else if (operator === "==" || operator === "ok") {
    plain = said ? "" : `expected a true value, got ${show(actual)}`;
  } else if (operator === "notStrictEqual" || operator === "notDeepStrictEqual") {
    plain = `expected something other than ${show(actual)}`;
  } else if (operator === "match") {
    plain = `expected text matching ${show(expected)}, got ${show(actual)}`;
  } else if (operator === "doesNotMatch") {
    plain = `expected text not matching ${show(expected)}, got ${show(actual)}`;
  } else if ((operator === "throws" || operator === "rejects") && actual !== undefined) {
    // It did fail, but not in the expected way.
    const thrown = actual instanceof Error ? `${actual.name}: ${actual.message}` : show(actual);
    plain = `expected an error matching ${show(expected)}, got ${thrown}`;
  } else if (operator === "throws") {
    plain = "expected an Error to be thrown, but the call returned normally";
  } else if (operator === "rejects") {
    plain = "expected it to fail (reject with an Error), but it succeeded";
  } else if (operator === "doesNotThrow" || operator === "doesNotReject") {
    plain = `expected no error, got ${show(actual)}`;
  } else {
    plain = error.generatedMessage ? error.message.split("\n")[0] : "";
  }
  if (operator === "throws" && said) {
    // assert.throws(fn, Error, "why"): the grader's words say which call.
    return `${said}: ${plain}`;
  }
  if (said && plain) return `${said}: ${plain}`;
  return said || plain || "the check failed";
}

/** The message shown for a failed check. */
export function describeFailure(error: unknown): string {
  if (isAssertion(error)) return assertionText(error);
  if (isSubmissionError(error)) {
    const what = error[FROM_SUBMISSION];
    const message = error.message.split("\n").slice(0, 8).join("\n");
    if (error.name === "NotAllowedWhileGrading") return `${what}: ${message}`;
    return `${what} threw ${error.name === "Error" ? "an Error" : error.name}: ${message}`;
  }
  if (error instanceof Error) return error.message.split("\n").slice(0, 12).join("\n");
  return String(error);
}
