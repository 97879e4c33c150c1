import { deepStrictEqual } from "node:assert/strict";
import { SilenceClock } from "./silence.ts";

const never = () => new Promise<string>(() => {});

Deno.test("SilenceClock ends a silent wait after the timeout, and only that wait", async () => {
  const clock = new SilenceClock(40);
  const quiet = clock.watch();
  const busy = clock.watch();
  const started = performance.now();
  const quietWait = quiet.race(never(), "timeout");
  // The busy connection answers before the timeout: its wait ends with the answer.
  const busyWait = busy.race(
    new Promise<string>((r) => setTimeout(() => r("line"), 10)),
    "timeout",
  );
  deepStrictEqual(await busyWait, "line");
  deepStrictEqual(await quietWait, "timeout");
  const waited = performance.now() - started;
  deepStrictEqual(waited >= 40, true, `ended after ${waited} ms, before the timeout`);
  quiet.stop();
  busy.stop(); // the clock's timer stops with the last one: the test's leak check holds
});

Deno.test("SilenceClock counts from the client's last byte", async () => {
  const clock = new SilenceClock(60);
  const silence = clock.watch();
  const wait = silence.race(never(), "timeout");
  let lastByte = performance.now();
  const talking = setInterval(() => {
    lastByte = performance.now();
    silence.heard();
  }, 10);
  await new Promise((r) => setTimeout(r, 100));
  clearInterval(talking);
  const stopped = performance.now();
  deepStrictEqual(await wait, "timeout");
  const ended = performance.now();
  deepStrictEqual(ended >= stopped, true, "bytes kept the wait alive");
  deepStrictEqual(ended - lastByte >= 60, true, `ended ${ended - lastByte} ms after the last byte`);
  silence.stop();
});

Deno.test("SilenceClock ends a wait when the connection's own limit runs out", async () => {
  const clock = new SilenceClock(60_000, 40);
  let left = 60_000;
  const silence = clock.watch(() => left);
  const wait = silence.race(never(), "timeout");
  setTimeout(() => (left = 1), 20); // a login deadline passing
  deepStrictEqual(await wait, "timeout");
  silence.stop();
});

Deno.test("a wait that began as the last one ended can still time out", async () => {
  const clock = new SilenceClock(20);
  const silence = clock.watch();
  // The next wait starts in the same turn as the first one's answer, as a session's
  // next command wait does: the first wait's end must not disarm the second.
  const first = silence.race(Promise.resolve("line"), "timeout");
  deepStrictEqual(await first, "line");
  const second = silence.race(never(), "timeout");
  let guard: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<string>((r) => guard = setTimeout(() => r("never timed out"), 1000));
  deepStrictEqual(await Promise.race([second, gaveUp]), "timeout");
  clearTimeout(guard);
  silence.stop();
});
