/**
 * Judge a client against a misbehaving server: did it end as the scenario table says an
 * RFC-correct client ends, within its deadline, with a clear error when it failed, and
 * did it close its connection? Graders and tests share this one judge.
 *
 * @module
 */

import { TimeoutError, withTimeout } from "../net/mod.ts";
import type { MisbehavingServer } from "./common.ts";
import { OUTCOME, type Protocol } from "./scenarios.ts";

/** How a client's attempt ended. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Options for {@linkcode judgeClient}. */
export interface JudgeOptions {
  /** The deadline the client was given, in ms: it must end within three times that. */
  deadlineMs: number;
  /** What the client is, in messages: "deliver()". */
  name?: string;
}

/** A client broke a rule of the scenario; the message says which, for a learner to read. */
export class JudgeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JudgeError";
  }
}

/**
 * Run `attempt` against `server` and check how it ended. Returns the verdict, so the
 * caller can go on to check the data (delivered once, returned intact).
 *
 * @throws {JudgeError} the client hung, ended the wrong way, failed without a clear
 *   message, or left its connection open.
 *
 * @example
 * ```ts
 * import { judgeClient, serveMisbehavingSmtp } from "./mod.ts";
 * import { sendMail } from "../smtp/mod.ts";
 * await using server = serveMisbehavingSmtp({ scenario: "transient-error" });
 * const verdict = await judgeClient(server, "smtp", () =>
 *   sendMail({ port: server.port, from: "a@b.test", to: ["c@mx.test"], data: "\r\nhi\r\n", timeoutMs: 1000 }),
 *   { deadlineMs: 1000 });
 * if (verdict.ok) throw new Error("451 should have failed the delivery");
 * ```
 */
export async function judgeClient<T>(
  server: MisbehavingServer,
  protocol: Protocol,
  attempt: () => Promise<T>,
  options: JudgeOptions,
): Promise<Verdict<T>> {
  const s = server.scenario;
  const name = options.name ?? "the client";
  const running = Promise.resolve().then(attempt).then(
    (value): Verdict<T> => ({ ok: true, value }),
    (error): Verdict<T> => ({
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
    }),
  );
  let verdict: Verdict<T>;
  try {
    verdict = await withTimeout(running, 3 * options.deadlineMs, name);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    // Hung: close the server (and so its connections), let the client's reads end.
    await server.close();
    await withTimeout(running, options.deadlineMs, name).catch(() => {});
    throw new JudgeError(
      `${name} was still running ${3 * options.deadlineMs} ms into scenario "${s.name}" ` +
        `with a deadline of ${options.deadlineMs} ms: give every read a deadline.`,
    );
  }
  const what = `In scenario "${s.name}" the server ${s.does[protocol]}`;
  if (s.outcome === OUTCOME.Completes && !verdict.ok) {
    throw new JudgeError(
      `${what} ${name} should cope (${s.clientMust}) but failed: ${verdict.error.message}`,
    );
  }
  if (s.outcome === OUTCOME.Fails && verdict.ok) {
    throw new JudgeError(`${what} ${name} should fail (${s.clientMust}) but it succeeded.`);
  }
  if (!verdict.ok) {
    const message = verdict.error.message.trim();
    if (message.length < 8) {
      throw new JudgeError(
        `${what} ${name} failed with too little said (${
          JSON.stringify(message)
        }): say what went wrong.`,
      );
    }
    const mention = s.errorMentions?.[protocol];
    if (mention && !mention.test(message)) {
      throw new JudgeError(
        `${what} ${name} failed, but its error should mention ${mention} (${s.clientMust}); it said: ${message}`,
      );
    }
  }
  if (server.violations.length) {
    throw new JudgeError(
      `${what} ${name} ${verdict.ok ? "went on" : "failed, but first it"} ${
        server.violations[0]
      }: ${s.clientMust}`,
    );
  }
  try {
    await withTimeout(server.settled(), options.deadlineMs, "the connection to close");
  } catch {
    throw new JudgeError(
      `${what} ${name} returned but left its connection open: close it (in a finally).`,
    );
  }
  return verdict;
}
