/**
 * Filing a group of messages into a Maildir's new/: the steps, and a thread to run them on.
 *
 * The order is the maildir spec's, each step taken once for the whole group: every file
 * written into tmp/, all of them made durable together ({@linkcode writeFilesDurably}),
 * each renamed into new/, new/ synced. No name reaches new/ before its file's bytes are on
 * disk, so readers see each message whole or not at all.
 *
 * The steps are plain system calls made one after another. An SMTP server that made them
 * on its event loop spent a fifth of that thread's time there, with every session
 * waiting meanwhile; handing each call to the runtime's thread pool instead cost more than
 * the call itself. {@linkcode FilerThread} runs them on a thread of its own.
 *
 * @module
 */
import { syncDirectory, writeFilesDurably } from "./durable.ts";

/** One message to file: its name in new/ and its bytes. */
export interface FilingMessage {
  id: string;
  bytes: Uint8Array;
}

/** Files a group into the Maildir at `root`: {@linkcode fileGroup}, or a {@linkcode FilerThread}'s. */
export type GroupFiler = (root: string, messages: readonly FilingMessage[]) => Promise<void>;

/**
 * File `messages` into `root/new/` (the INBOX of the Maildir at `root`), durably. A file of
 * the same name in tmp/, left by a filing that a crash cut short, is replaced.
 *
 * rename() where the spec links and then unlinks: one call, not two. It would replace a
 * name already in new/, but these names are unique, and a caller filing again after a
 * crash leaves out those already filed.
 */
export async function fileGroup(root: string, messages: readonly FilingMessage[]): Promise<void> {
  await writeFilesDurably(`${root}/tmp`, messages.map(({ id, bytes }) => ({ name: id, bytes })));
  for (const { id } of messages) Deno.renameSync(`${root}/tmp/${id}`, `${root}/new/${id}`);
  await syncDirectory(`${root}/new`);
}

/** What {@linkcode FilerThread} sends its worker. */
export interface FilingJob {
  id: number;
  root: string;
  messages: readonly FilingMessage[];
}

/** What the worker answers: the job's id, and the error it met, if any. */
export interface FilingReply {
  id: number;
  error?: { name: string; message: string };
}

/** An error as the worker reported it, with its `Deno.errors` class when it had one. */
function revive({ name, message }: { name: string; message: string }): Error {
  const classes = Deno.errors as unknown as Record<string, ErrorConstructor | undefined>;
  return new (classes[name] ?? Error)(message);
}

/**
 * {@linkcode fileGroup} on a thread of its own (a Worker running filer_worker.ts),
 * started with the first group. {@linkcode FilerThread.close} ends it.
 *
 * @example
 * ```ts
 * import { Maildir } from "./maildir.ts";
 * import { FilerThread } from "./filing.ts";
 * const box = await Maildir.open(await Deno.makeTempDir());
 * const thread = new FilerThread();
 * const bytes = new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n");
 * await thread.file(box.root, [{ id: "1700000000.M1P1Q1.example", bytes }]);
 * thread.close();
 * if ((await box.list()).length !== 1) throw new Error("not filed");
 * await Deno.remove(box.root, { recursive: true });
 * ```
 */
export class FilerThread {
  #worker: Worker | null = null;
  readonly #waiting = new Map<number, PromiseWithResolvers<void>>();
  #nextId = 0;
  #closed = false;

  /** {@linkcode fileGroup} for `messages`, on the thread. A {@linkcode GroupFiler}. */
  file = (root: string, messages: readonly FilingMessage[]): Promise<void> => {
    if (this.#closed) return Promise.reject(new Error("Cannot file: the filing thread is closed"));
    const worker = this.#worker ??= this.#start();
    const job: FilingJob = { id: this.#nextId++, root, messages };
    const done = Promise.withResolvers<void>();
    this.#waiting.set(job.id, done);
    worker.postMessage(job);
    return done.promise;
  };

  /** End the thread. Groups still being filed fail (the journal keeps them). */
  close(): void {
    this.#closed = true;
    this.#stop(new Error("Cannot file: the filing thread is closed"));
  }

  #start(): Worker {
    const worker = new Worker(new URL("./filer_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = ({ data }: MessageEvent<FilingReply>) => {
      const done = this.#waiting.get(data.id);
      this.#waiting.delete(data.id);
      if (data.error) done?.reject(revive(data.error));
      else done?.resolve();
    };
    // The thread died (it should not): fail what it held; the next group starts another.
    worker.onerror = (event) => {
      event.preventDefault();
      this.#stop(new Error(`The filing thread failed: ${event.message}`));
    };
    return worker;
  }

  #stop(reason: Error): void {
    this.#worker?.terminate();
    this.#worker = null;
    for (const done of this.#waiting.values()) done.reject(reason);
    this.#waiting.clear();
  }
}
