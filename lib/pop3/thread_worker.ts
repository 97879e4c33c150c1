/**
 * A thread of lib/pop3/threads.ts: `servePop3` over its own `MailStore`, asking the
 * thread that started it for the locks, the connection slots and the record of wrong
 * passwords, which every thread shares.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { MailStore } from "../maildir/mod.ts";
import { type AuthLedger, type ConnectionGate, type Refusal, ThreadCaller } from "../net/mod.ts";
import type { MaildropLocks } from "./maildrop_locks.ts";
import { type Pop3Server, servePop3 } from "./server.ts";
import type { WorkerMessage, WorkerSetup } from "./threads.ts";

const post = (message: WorkerMessage) => self.postMessage(message);
let server: Pop3Server | undefined;
let caller: ThreadCaller | undefined;

self.onmessage = async (event: MessageEvent) => {
  if (event.data.kind === "close") {
    await server?.close();
    caller?.close();
    post({ kind: "closed" });
    return;
  }
  const { setup, calls } = event.data as { setup: WorkerSetup; calls: MessagePort };
  const shared = caller = new ThreadCaller(calls);
  const limits: ConnectionGate = {
    admit: (address) => shared.call<Refusal | null>("admit", address),
    release: (address) => shared.tell("releaseSlot", address),
  };
  const locks: MaildropLocks = {
    acquire: (user) => shared.call<boolean>("acquireLock", user),
    release: (user) => shared.tell("releaseLock", user),
  };
  const throttle: AuthLedger = {
    maxFailuresPerSession: setup.maxFailuresPerSession,
    recordFailure: (address) => shared.call<number>("recordFailure", address),
    recordSuccess: (address) => shared.tell("recordSuccess", address),
  };
  try {
    server = servePop3({
      ...setup,
      store: new MailStore(setup.root),
      users: new Map(setup.users),
      connectionLimits: limits,
      maildropLocks: locks,
      authThrottle: throttle,
      onSessionEnd: (end) => shared.tell("sessionEnded", end),
      onError: (error) =>
        shared.tell("error", error instanceof Error ? error.stack : String(error)),
    });
    post({ kind: "listening", port: server.port });
  } catch (error) {
    post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
};
