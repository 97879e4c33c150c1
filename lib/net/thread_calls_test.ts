import assert from "node:assert/strict";
import { answerCalls, ThreadCaller } from "./thread_calls.ts";

Deno.test("ThreadCaller gets each answer, in order, errors included", async () => {
  const channel = new MessageChannel();
  const seen: string[] = [];
  answerCalls(channel.port1, {
    echo: (text: string) => text,
    later: async (text: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return text.toUpperCase();
    },
    note: (text: string) => void seen.push(text),
    fail: () => {
      throw new Error("refused");
    },
  });
  const caller = new ThreadCaller(channel.port2);
  try {
    const answers = await Promise.all([caller.call("later", "a"), caller.call("echo", "b")]);
    assert.deepEqual(answers, ["A", "b"], "each answer goes to its own call");
    caller.tell("note", "told");
    assert.equal(await caller.call("echo", "after"), "after");
    assert.deepEqual(seen, ["told"], "a message told first is handled first");
    await assert.rejects(caller.call("fail"), /refused/);
    await assert.rejects(caller.call("missing"), /No method missing/);
    await assert.rejects(caller.call("toString"), /No method toString/);
  } finally {
    caller.close();
    channel.port1.close();
  }
});

Deno.test("answerCalls() reports a told call that failed, since nobody waits for it", async () => {
  const channel = new MessageChannel();
  const reported = Promise.withResolvers<unknown>();
  answerCalls(channel.port1, {
    fail: () => {
      throw new Error("broken");
    },
  }, reported.resolve);
  const caller = new ThreadCaller(channel.port2);
  try {
    caller.tell("fail");
    assert.match(String(await reported.promise), /broken/);
  } finally {
    caller.close();
    channel.port1.close();
  }
});

Deno.test("ThreadCaller.close() fails the calls still waiting", async () => {
  const channel = new MessageChannel();
  const caller = new ThreadCaller(channel.port2);
  const waiting = caller.call("never"); // nobody answers on port1
  caller.close();
  await assert.rejects(waiting, /closed/);
  channel.port1.close();
});
