/**
 * Grader for the robust SMTP client: the learner's client delivers to the course server,
 * then meets every misbehaving SMTP server of lib/misbehave, one check per scenario, and
 * must end as the scenario table says an RFC-correct client ends.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Check, defineExercise } from "../../lib/grading/exercise.ts";
import {
  judgeClient,
  OUTCOME,
  scenariosFor,
  serveMisbehavingSmtp,
} from "../../lib/misbehave/mod.ts";
import { MemoryMailStore, serveSmtp } from "../../lib/smtp/mod.ts";

type Impl = typeof import("../../exercises/03_smtp/robust_client.ts");

/** The deadline the learner's client gets; the judge allows three times that. */
const DEADLINE_MS = 1000;
/** A message with what breaks careless clients: a lone dot, leading dots, 8-bit text. */
export const MESSAGE =
  "From: al@pc.test\r\nTo: bob@mx.test\r\nSubject: robust\r\n\r\n.\r\n..two\r\n.x\r\nÉté, 夏天\r\nend\r\n";
const decoder = new TextDecoder();

/** Scenarios whose failure is temporary: a 4yz reply, or a connection that broke off. */
const TRANSIENT = new Set([
  "transient-error",
  "busy-once",
  "close-before-greeting",
  "close-mid-transfer",
  "stall-mid-reply",
]);

/**
 * A client that throws at once would "fail clearly" everywhere: before a failure counts,
 * the client must deliver to a polite server.
 */
async function deliversToPoliteServer(impl: Impl): Promise<void> {
  await using polite = serveMisbehavingSmtp({ scenario: "polite" });
  try {
    await impl.deliver(polite.port, { from: "al@pc.test", to: "bob@mx.test" }, MESSAGE, {
      timeoutMs: DEADLINE_MS,
    });
  } catch (error) {
    throw new Error(
      `deliver() must first deliver to a polite server before its failures count: ${
        (error as Error).message
      }`,
    );
  }
  assert.equal(polite.messages.length, 1, "the polite server got no message");
}

function scenarioCheck(name: string): Check<Impl> {
  const s = scenariosFor("smtp").find((x) => x.name === name)!;
  return {
    name: `deliver() against a server that ${s.does.smtp!.replace(/\.$/, "")}: ${
      s.outcome === OUTCOME.Completes
        ? "delivers intact"
        : s.outcome === OUTCOME.Fails
        ? "fails clearly, in time"
        : "delivers once or fails clearly"
    }`,
    points: 1,
    hint: `Scenario "${s.name}" (${s.rfc}): ${s.clientMust}`,
    timeoutMs: 8000,
    run: async (impl) => {
      if (s.outcome !== OUTCOME.Completes) await deliversToPoliteServer(impl);
      await using server = serveMisbehavingSmtp({ scenario: s.name });
      const verdict = await judgeClient(
        server,
        "smtp",
        () =>
          impl.deliver(server.port, { from: "al@pc.test", to: "bob@mx.test" }, MESSAGE, {
            timeoutMs: DEADLINE_MS,
          }),
        { deadlineMs: DEADLINE_MS, name: "deliver()" },
      );
      if (verdict.ok) {
        assert.equal(server.messages.length, 1, "the message must arrive exactly once");
        assert.equal(
          decoder.decode(server.messages[0].data),
          MESSAGE,
          "the message arrived changed",
        );
      } else {
        assert.equal(
          server.messages.length,
          0,
          "deliver() failed, yet the server stored the message",
        );
        if (TRANSIENT.has(s.name)) {
          // By class name: it is what crosses from a learner's process (lib/grading).
          assert.equal(
            verdict.error.name,
            "TransientDeliveryError",
            `a failure in "${s.name}" is transient (retry later): throw a TransientDeliveryError`,
          );
        }
      }
    },
  };
}

export default defineExercise<Impl>({
  title: "A robust SMTP client",
  challenge: true,
  hints: [
    "Start from your mini_client, then read lib/misbehave/scenarios.ts: one row per way a server misbehaves, and what your client must do.",
    "Put the deadline around reading a whole reply, not around one read: wrap it with withTimeout(), and close the connection when it fires (a finally does that for you).",
    "A reply ends at the line whose fourth character is a space (or that has only the code). Check the code of every reply, including 354 before you send the message.",
    "Map what went wrong to the two error classes: a 4yz reply, a timeout or a closed connection are a TransientDeliveryError; a 5yz reply, or an unexpected code, a DeliveryError.",
  ],
  checks: [
    {
      name: "deliver() puts the message, dots and 8-bit text intact, into the course server",
      points: 3,
      hint:
        "Greeting, EHLO, MAIL, RCPT, DATA, the dot-stuffed message, '.', QUIT: as in mini_client.",
      run: async (impl) => {
        const store = new MemoryMailStore();
        await using server = serveSmtp({
          store,
          users: new Map([["bob", "pw"]]),
          hostname: "mx.test",
          idleTimeoutMs: 4000,
        });
        const reply = await impl.deliver(
          server.port,
          { from: "al@pc.test", to: "bob@mx.test" },
          MESSAGE,
          { timeoutMs: 2000 },
        );
        assert.match(reply, /^250/, "deliver() returns the 250 reply to the message");
        const [stored] = store.texts("bob");
        assert.equal(
          stored?.replace(/^Return-Path: .*\r\nReceived: .*\r\n(?:\t.*\r\n)*/, ""),
          MESSAGE,
        );
      },
    },
    ...scenariosFor("smtp").map((s) => scenarioCheck(s.name)),
  ],
});
