/**
 * What the POP3 server needs from a mail store, and an in-memory store for tests.
 *
 * The course's store is lib/maildir's `MailStore` (root/<user>/ is a Maildir; POP3
 * serves its INBOX). The server only needs the three calls below, so it is written
 * against this interface: `MailStore` fits it as it is, and so does
 * {@linkcode MemoryStore}, which keeps tests free of disk and of the maildir module.
 *
 * @module
 */

/** One message as the store lists it. */
export interface StoredMessage {
  /** Unique and stable name; POP3's UIDL (RFC 1939 7) sends it. */
  id: string;
  /** Size in octets on the store. */
  size: number;
}

/** An open message file: `Deno.FsFile` has this shape. */
export interface MessageFile {
  read(buffer: Uint8Array): Promise<number | null>;
  /** A read that blocks: cheaper than `read` for a small file in the page cache. */
  readSync?(buffer: Uint8Array): number | null;
  close(): void;
}

/** One user's mailbox: POP3 reads INBOX only (it has no folders). */
export interface Pop3Mailbox {
  /** INBOX's messages, oldest first. */
  list(): Promise<StoredMessage[]>;
  /** A message's bytes. */
  read(id: string): Promise<Uint8Array>;
  /**
   * A message opened for reading in chunks. When a store has it, RETR and TOP stream
   * the file instead of reading it whole, so memory does not grow with message size.
   */
  open?(id: string): Promise<MessageFile>;
  /** Remove a message for good. */
  remove(id: string): Promise<void>;
}

/** Many users' mailboxes, by user name. */
export interface Pop3Store {
  mailbox(user: string): Promise<Pop3Mailbox>;
}

/**
 * A store in memory: a map from user to that user's messages.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./backend.ts";
 * const store = new MemoryStore();
 * store.add("alice", new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * const box = await store.mailbox("alice");
 * if ((await box.list()).length !== 1) throw new Error("unexpected");
 * ```
 */
export class MemoryStore implements Pop3Store {
  readonly #boxes = new Map<string, Map<string, Uint8Array>>();
  #next = 0;

  /** Deliver a message; returns its id. */
  add(user: string, bytes: Uint8Array): string {
    const id = `${Date.now()}.M${this.#next++}.memory`;
    this.#box(user).set(id, bytes.slice());
    return id;
  }

  /** Ids of a user's messages, oldest first. */
  ids(user: string): string[] {
    return [...this.#box(user).keys()];
  }

  mailbox(user: string): Promise<Pop3Mailbox> {
    const box = this.#box(user);
    return Promise.resolve({
      list: () => Promise.resolve([...box].map(([id, bytes]) => ({ id, size: bytes.length }))),
      read: (id: string) => {
        const bytes = box.get(id);
        if (!bytes) return Promise.reject(new Deno.errors.NotFound(`No message ${id}`));
        return Promise.resolve(bytes.slice());
      },
      remove: (id: string) => {
        box.delete(id);
        return Promise.resolve();
      },
    });
  }

  #box(user: string): Map<string, Uint8Array> {
    let box = this.#boxes.get(user);
    if (!box) this.#boxes.set(user, box = new Map());
    return box;
  }
}
