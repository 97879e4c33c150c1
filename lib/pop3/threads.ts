/**
 * One POP3 server on several threads: a Worker per core, each serving on the same port.
 *
 * Why: a server on one JavaScript thread does the work of every session on that thread.
 * With many clients on the same machine, that thread is one task among many for the
 * scheduler and waits for a core while the clients it has just answered run
 * (bench/README-pop3.md measures it). A thread per core gets the server a share of the
 * machine in proportion to its work, as a process per session gets Dovecot.
 *
 * How: every thread listens on the port with Linux's `SO_REUSEPORT`, and the kernel
 * spreads new connections over the listeners by a hash of the addresses, so the threads
 * never hand sockets to each other. What must hold for the server as a whole stays with
 * the thread that called {@linkcode servePop3Threads}: the maildrop locks (RFC 1939 8),
 * the count of connections and the record of wrong passwords. The workers ask it by
 * message (lib/net/thread_calls.ts) at connect, at login and at the end of a session;
 * everything in between (the listing, the reads, the replies) is the worker's own. Each
 * worker opens its own `MailStore` on the same root: Maildir is made for many readers at
 * once, and a listing is reused only while the folders' stamps are unchanged.
 *
 * @module
 */

import { answerCalls, AuthThrottle, ConnectionLimits, LOOPBACK } from "../net/mod.ts";
import { LIMITS } from "./constants.ts";
import { InProcessLocks } from "./maildrop_locks.ts";
import { type Pop3ServerOptions, type SessionEnd, SessionEnds } from "./server.ts";
import type { SessionOptions } from "./session.ts";

/** Options for {@linkcode servePop3Threads}: those of `servePop3`, with a Maildir root for a store. */
export interface ThreadedPop3Options
  extends Omit<Pop3ServerOptions, "store" | "connectionLimits" | "maildropLocks" | "reusePort"> {
  /** The Maildir root (lib/maildir's `MailStore`): root/<user>/ is a user's maildrop. */
  root: string;
  /**
   * Threads serving connections. Default: one per core on Linux, one elsewhere (sharing a
   * port between listeners is Linux's `SO_REUSEPORT`).
   */
  threads?: number;
  /** The shared record of wrong passwords; the throttle's policy applies on every thread. */
  authThrottle?: AuthThrottle;
}

/** A running server on several threads. `await using` closes it and every connection. */
export interface ThreadedPop3Server extends AsyncDisposable {
  readonly hostname: typeof LOOPBACK;
  readonly port: number;
  /** Threads serving connections. */
  readonly threads: number;
  /** Resolves when the next session ends, on any thread, its lock released. */
  nextSessionEnd(): Promise<SessionEnd>;
  /** Stop every thread: each closes its listener and connections and waits for its sessions. */
  close(): Promise<void>;
}

/** What a worker needs to serve: everything can be cloned into it. */
export interface WorkerSetup extends SessionOptions {
  thread: number;
  root: string;
  users: [string, string][];
  port: number;
  reusePort: boolean;
  hostname?: string;
  idleTimeoutMs?: number;
  loginTimeoutMs?: number;
  maxFailuresPerSession: number;
}

/** Messages between the serving thread and a worker, outside the calls. */
export type WorkerMessage =
  | { kind: "listening"; port: number }
  | { kind: "failed"; message: string }
  | { kind: "closed" };

/**
 * Serve POP3 on 127.0.0.1 from several threads, over a Maildir root. Needs Deno's
 * `--unstable-net` when there is more than one thread (the project's deno.json gives it).
 *
 * @example Two threads over an empty Maildir root
 * ```ts
 * import { servePop3Threads } from "./threads.ts";
 * const root = await Deno.makeTempDir();
 * {
 *   await using server = await servePop3Threads({ root, users: new Map([["alice", "pw"]]), threads: 2 });
 *   if (server.threads !== 2) throw new Error("unexpected");
 * }
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function servePop3Threads(options: ThreadedPop3Options): Promise<ThreadedPop3Server> {
  const threads = options.threads ??
    (Deno.build.os === "linux" ? navigator.hardwareConcurrency : 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a whole number of at least 1, not ${threads}`);
  }
  // Deno puts its unstable network calls (listenDatagram among them) on `Deno` only
  // with --unstable-net, the flag `reusePort` needs too.
  if (threads > 1 && typeof Deno.listenDatagram !== "function") {
    throw new Error(
      "Serving on several threads shares a port (SO_REUSEPORT), which Deno gives only with --unstable-net",
    );
  }
  const throttle = options.authThrottle ??
    new AuthThrottle({ firstDelayMs: options.authFailureDelayMs });
  const limits = new ConnectionLimits({
    maxConnections: options.maxConnections ?? LIMITS.maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? LIMITS.maxConnectionsPerAddress,
  });
  const locks = new InProcessLocks();
  const onError = options.onError ?? ((error) => console.error("POP3 thread:", error));
  const ends = new SessionEnds(options.onSessionEnd);
  const workers: ServingThread[] = [];
  const close = async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  };
  try {
    let port = options.port ?? 0;
    for (let thread = 0; thread < threads; thread++) {
      const worker = new ServingThread(thread, { limits, locks, throttle, onError }, ends.report);
      workers.push(worker);
      // The first thread takes the port (a free one for 0); the others join it.
      port = await worker.start({
        thread,
        root: options.root,
        users: [...options.users],
        port,
        reusePort: threads > 1,
        hostname: options.hostname,
        idleTimeoutMs: options.idleTimeoutMs,
        loginTimeoutMs: options.loginTimeoutMs,
        maxAuthFailures: options.maxAuthFailures,
        capabilities: options.capabilities,
        maxFailuresPerSession: throttle.maxFailuresPerSession,
      });
    }
    return {
      hostname: LOOPBACK,
      port,
      threads,
      nextSessionEnd: ends.next,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What every thread shares, held here. */
export interface Shared {
  limits: ConnectionLimits;
  locks: InProcessLocks;
  throttle: AuthThrottle;
  onError: (error: unknown) => void;
}

/**
 * One worker and the calls it makes. It also remembers which locks and connection slots
 * the worker holds, so that a worker that dies does not keep them. `module` is the
 * worker's code: lib/pop3/thread_worker.ts, or a stand-in in tests.
 */
export class ServingThread {
  readonly #worker: Worker;
  readonly #channel = new MessageChannel();
  readonly #locksHeld = new Set<string>();
  readonly #slotsHeld: string[] = [];
  #replies = new Map<WorkerMessage["kind"], (message: WorkerMessage) => void>();
  #stopped?: Promise<void>;
  #dead = false;

  constructor(
    thread: number,
    shared: Shared,
    sessionEnded: (end: SessionEnd) => void,
    module = new URL("./thread_worker.ts", import.meta.url),
  ) {
    this.#worker = new Worker(module, { type: "module" });
    const { limits, locks, throttle, onError } = shared;
    answerCalls(this.#channel.port1, {
      admit: (address: string) => {
        const refusal = limits.admit(address);
        if (!refusal) this.#slotsHeld.push(address);
        return refusal;
      },
      releaseSlot: (address: string) => {
        const held = this.#slotsHeld.indexOf(address);
        if (held < 0) return; // freed already, when the worker died
        this.#slotsHeld.splice(held, 1);
        limits.release(address);
      },
      acquireLock: (user: string) => {
        const taken = locks.acquire(user);
        if (taken) this.#locksHeld.add(user);
        return taken;
      },
      releaseLock: (user: string) => {
        if (this.#locksHeld.delete(user)) locks.release(user);
      },
      recordFailure: (address: string) => throttle.recordFailure(address),
      recordSuccess: (address: string) => throttle.recordSuccess(address),
      // Sent on the same channel as `releaseLock`, so it arrives after the lock is free.
      sessionEnded: (end: SessionEnd) => sessionEnded({ ...end, thread }),
      error: (message: string) => onError(new Error(`POP3 thread ${thread}: ${message}`)),
    }, onError);
    this.#worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      this.#replies.get(event.data.kind)?.(event.data);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault(); // reported here; the other threads go on serving
      this.#dead = true;
      onError(new Error(`POP3 thread ${thread} stopped: ${event.message}`));
      this.#freeHeld(limits, locks);
      this.#replies.get("failed")?.({ kind: "failed", message: event.message });
      this.#replies.get("closed")?.({ kind: "closed" });
    };
  }

  /** Send the setup; resolves with the port the worker listens on. */
  async start(setup: WorkerSetup): Promise<number> {
    const answer = this.#next("listening", "failed");
    this.#worker.postMessage({ setup, calls: this.#channel.port2 }, [this.#channel.port2]);
    const message = await answer;
    if (message.kind === "failed") {
      throw new Error(`POP3 thread ${setup.thread}: ${message.message}`);
    }
    return (message as { port: number }).port;
  }

  /** Ask the worker to close its server, then end it. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (!this.#dead) {
        const closed = this.#next("closed");
        this.#worker.postMessage({ kind: "close" });
        await closed;
      }
      this.#worker.terminate();
      this.#channel.port1.close();
    })();
    return this.#stopped;
  }

  /** The next message of one of these kinds. */
  #next(...kinds: WorkerMessage["kind"][]): Promise<WorkerMessage> {
    return new Promise((resolve) => {
      for (const kind of kinds) this.#replies.set(kind, resolve);
    });
  }

  #freeHeld(limits: ConnectionLimits, locks: InProcessLocks): void {
    for (const user of this.#locksHeld) locks.release(user);
    this.#locksHeld.clear();
    for (const address of this.#slotsHeld.splice(0)) limits.release(address);
  }
}
