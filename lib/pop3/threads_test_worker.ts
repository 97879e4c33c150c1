/**
 * A stand-in for lib/pop3/thread_worker.ts in threads_test.ts: it takes a maildrop lock and
 * a connection slot through the calls, says it listens, then dies of an uncaught error.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { ThreadCaller } from "../net/thread_calls.ts";
import type { WorkerMessage } from "./threads.ts";

self.onmessage = async (event: MessageEvent) => {
  const caller = new ThreadCaller(event.data.calls as MessagePort);
  await caller.call("acquireLock", "alice");
  await caller.call("admit", "127.0.0.1");
  self.postMessage({ kind: "listening", port: 1 } satisfies WorkerMessage);
  setTimeout(() => {
    throw new Error("the thread failed");
  });
};
