import assert from "node:assert/strict";
import { LoginDeadline } from "./login_deadline.ts";

Deno.test("LoginDeadline: before login a read waits the shorter of the idle timeout and the time left", () => {
  let now = 1000;
  const deadline = new LoginDeadline({
    idleTimeoutMs: 60_000,
    loginTimeoutMs: 180_000,
    now: () => now,
  });
  assert.equal(deadline.timeoutMs(), 60_000);
  assert.equal(deadline.expired, false, "the idle timeout was the limit");
  now += 150_000; // a client that keeps sending NOOP still has to log in in time
  assert.equal(deadline.timeoutMs(), 30_000);
  assert.equal(deadline.expired, true, "the login deadline was the limit");
  now += 40_000;
  assert.equal(deadline.timeoutMs(), 1, "past the deadline: the next read times out at once");
});

Deno.test("LoginDeadline: after login only the idle timeout counts", () => {
  let now = 0;
  const deadline = new LoginDeadline({
    idleTimeoutMs: 600_000,
    loginTimeoutMs: 1000,
    now: () => now,
  });
  deadline.timeoutMs();
  deadline.loggedIn();
  now = 10_000;
  assert.equal(deadline.timeoutMs(), 600_000);
  assert.equal(deadline.expired, false);
});
