/**
 * Calls from one thread to an object another thread owns, by message.
 *
 * Workers share no objects: each has its own heap. When the threads of one server must
 * agree (one lock per maildrop, one count of connections, one record of wrong passwords),
 * the state stays with one owner and the other threads ask it: each call is a message
 * with an id, each answer a message with the same id. The owner handles one message at a
 * time, so no two calls interleave inside a method: the owner's own event loop is the
 * lock. A call costs a round trip between threads, so servers make them only at connect
 * and login, never per command.
 *
 * @module
 */

/** The methods the owner answers: each takes and returns values that can be cloned. */
// deno-lint-ignore no-explicit-any
export type Answerable = Record<string, (...args: any[]) => unknown>;

interface CallMessage {
  id: number;
  method: string;
  args: unknown[];
}

type AnswerMessage = { id: number; value: unknown } | { id: number; error: string };

/**
 * Answer the calls that arrive on `port` with `target`'s methods; a method may return a
 * promise. A call with id 0 expects no answer: if it fails, `onError` hears of it, as no
 * caller is waiting to. Stops when the port is closed.
 */
export function answerCalls(
  port: MessagePort,
  target: Answerable,
  onError: (error: unknown) => void = (error) => console.error("Told call failed:", error),
): void {
  port.onmessage = async (event: MessageEvent<CallMessage>) => {
    const { id, method, args } = event.data;
    let answer: AnswerMessage;
    try {
      if (!Object.hasOwn(target, method)) throw new Error(`No method ${method}`);
      answer = { id, value: await target[method](...args) };
    } catch (error) {
      if (id === 0) return onError(error);
      answer = { id, error: error instanceof Error ? error.message : String(error) };
    }
    if (id !== 0) port.postMessage(answer);
  };
}

/**
 * The caller's side: {@linkcode ThreadCaller.call} sends a call and resolves with the
 * owner's answer.
 *
 * @example Ask a counter held by the other end of a channel
 * ```ts
 * import { answerCalls, ThreadCaller } from "./thread_calls.ts";
 * const channel = new MessageChannel();
 * let count = 0;
 * answerCalls(channel.port1, { add: (n: number) => count += n });
 * const caller = new ThreadCaller(channel.port2);
 * if (await caller.call("add", 2) !== 2) throw new Error("unexpected");
 * caller.close();
 * channel.port1.close();
 * ```
 */
export class ThreadCaller {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, PromiseWithResolvers<unknown>>();
  #next = 1;

  constructor(port: MessagePort) {
    this.#port = port;
    port.onmessage = (event: MessageEvent<AnswerMessage>) => {
      const answer = event.data;
      const pending = this.#pending.get(answer.id);
      if (!pending) return;
      this.#pending.delete(answer.id);
      if ("error" in answer) pending.reject(new Error(answer.error));
      else pending.resolve(answer.value);
    };
  }

  /** Call `method` on the owner's object; resolves with what it returned. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.#next++;
    const pending = Promise.withResolvers<unknown>();
    this.#pending.set(id, pending);
    this.#port.postMessage({ id, method, args } satisfies CallMessage);
    return pending.promise as Promise<T>;
  }

  /** Call `method` without waiting for, or getting, an answer. */
  tell(method: string, ...args: unknown[]): void {
    this.#port.postMessage({ id: 0, method, args } satisfies CallMessage);
  }

  /** Close the port; calls still waiting fail. */
  close(): void {
    this.#port.close();
    for (const pending of this.#pending.values()) {
      pending.reject(new Error("The channel to the owning thread closed"));
    }
    this.#pending.clear();
  }
}
