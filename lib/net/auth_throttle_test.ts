import assert from "node:assert/strict";
import { AUTH_THROTTLE, AuthThrottle, ServerClosingError } from "./auth_throttle.ts";

Deno.test("AuthThrottle: the defaults follow Dovecot's auth penalty, 2 s doubling to 15 s", () => {
  const throttle = new AuthThrottle();
  assert.equal(throttle.firstDelayMs, 2000);
  assert.equal(throttle.maxDelayMs, 15000);
  assert.equal(throttle.maxFailuresPerSession, 3);
  const delays = Array.from({ length: 6 }, () => throttle.recordFailure("192.0.2.1"));
  assert.deepEqual(delays, [2000, 4000, 8000, 15000, 15000, 15000]);
  assert.equal(throttle.failuresOf("192.0.2.1"), 6);
  assert.equal(throttle.failuresOf("192.0.2.2"), 0, "another address owes nothing");
});

Deno.test("AuthThrottle: a success clears the address's record", () => {
  const throttle = new AuthThrottle({ firstDelayMs: 10 });
  throttle.recordFailure("192.0.2.1");
  throttle.recordFailure("192.0.2.1");
  throttle.recordSuccess("192.0.2.1");
  assert.equal(throttle.recordFailure("192.0.2.1"), 10, "starts over from the first delay");
});

Deno.test("AuthThrottle: a record is forgotten forgetAfterMs after its last failure", () => {
  let now = 0;
  const throttle = new AuthThrottle({ firstDelayMs: 10, forgetAfterMs: 1000, now: () => now });
  throttle.recordFailure("a");
  now = 500;
  throttle.recordFailure("b");
  now = 999;
  assert.equal(throttle.size, 2);
  now = 1000;
  assert.equal(throttle.failuresOf("a"), 0, "a's last failure was 1000 ms ago");
  assert.equal(throttle.failuresOf("b"), 1);
  now = 1500;
  assert.equal(throttle.size, 0);
});

Deno.test("AuthThrottle: the table never holds more than maxAddresses; the quietest goes", () => {
  const throttle = new AuthThrottle({ firstDelayMs: 10, maxAddresses: 3 });
  for (const address of ["a", "b", "c"]) throttle.recordFailure(address);
  throttle.recordFailure("a"); // a is now the most recent
  throttle.recordFailure("d");
  assert.equal(throttle.size, 3);
  assert.equal(throttle.failuresOf("b"), 0, "b was quiet longest");
  assert.equal(throttle.failuresOf("a"), 2);
  for (let i = 0; i < 10_000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(throttle.size, 3);
});

Deno.test("AuthThrottle.delayFor(): 0 turns the delay off; never below the first delay", () => {
  assert.equal(new AuthThrottle({ firstDelayMs: 0 }).delayFor(5), 0);
  assert.equal(new AuthThrottle({ firstDelayMs: 50, maxDelayMs: 10 }).delayFor(3), 50);
  assert.equal(new AuthThrottle({ firstDelayMs: 1 }).delayFor(1000), 15000);
});

Deno.test("AuthAttempts: the third failure of a session asks to disconnect; the count spans sessions", async () => {
  const delays: number[] = [];
  const throttle = new AuthThrottle({ firstDelayMs: 1, onDelay: (_, ms) => delays.push(ms) });
  const first = throttle.session("192.0.2.9");
  assert.deepEqual(await first.failed(), { failures: 1, disconnect: false });
  assert.deepEqual(await first.failed(), { failures: 2, disconnect: false });
  assert.deepEqual(await first.failed(), { failures: 3, disconnect: true });
  const second = throttle.session("192.0.2.9"); // reconnecting does not start over
  assert.deepEqual(await second.failed(), { failures: 1, disconnect: false });
  assert.deepEqual(delays, [1, 2, 4, 8]);
  second.succeeded();
  assert.equal(throttle.failuresOf("192.0.2.9"), 0);
});

Deno.test("AuthAttempts.failed(): the default 2 s delay ends at once when the server closes", async () => {
  const closing = new AbortController();
  let started: (ms: number) => void = () => {};
  const delayStarted = new Promise<number>((resolve) => started = resolve);
  const throttle = new AuthThrottle({ onDelay: (_, ms) => started(ms) });
  const waiting = throttle.session("192.0.2.3", closing.signal).failed();
  assert.equal(await delayStarted, AUTH_THROTTLE.firstDelayMs);
  closing.abort();
  // Ends now, with no answer due, and leaves no timer behind (the sanitizer checks it).
  await assert.rejects(waiting, ServerClosingError);
  // After close, a failure does not wait at all.
  await assert.rejects(throttle.session("192.0.2.3", closing.signal).failed(), ServerClosingError);
});
