/**
 * Many users' mail under one folder: `root/<user>/` is that user's Maildir, the layout
 * of Dovecot's `mail_location = maildir:/srv/mail/%u`.
 *
 * @module
 */
import { Maildir, STALE_TMP_MS } from "./maildir.ts";
import { checkUserName } from "./names.ts";

/** A directory of Maildirs, one per user, opened on demand and shared. */
export class MailStore {
  /** The folder holding one Maildir per user. */
  readonly root: string;
  readonly #open = new Map<string, Promise<Maildir>>();

  constructor(root: string) {
    this.root = root;
  }

  /**
   * The user's Maildir, created on first use. Every caller asking for the same user
   * gets the same {@linkcode Maildir} object, so their operations are coordinated. The
   * first open removes stale tmp/ leftovers of crashed deliveries (older than 36 hours,
   * see {@linkcode Maildir.cleanTmp}) in all of the user's folders.
   *
   * @throws {MailboxNameError} the user name is unsafe as a directory name.
   *
   * @example
   * ```ts
   * import { MailStore } from "./store.ts";
   * const root = await Deno.makeTempDir();
   * const store = new MailStore(root);
   * await (await store.mailbox("alice")).deliver(new TextEncoder().encode("\r\nhi\r\n"));
   * if ((await store.users()).join() !== "alice") throw new Error("unexpected");
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async mailbox(user: string): Promise<Maildir> {
    checkUserName(user);
    let box = this.#open.get(user);
    if (!box) {
      box = Maildir.open(`${this.root}/${user}`).then(async (maildir) => {
        await maildir.cleanAllTmp();
        return maildir;
      });
      this.#open.set(user, box);
      box.catch(() => this.#open.delete(user));
    }
    return await box;
  }

  /**
   * Remove stale tmp/ files (older than `maxAgeMs`, default 36 hours) in every folder
   * of every user: what a long-running server does now and then. Returns how many.
   */
  async cleanTmp(maxAgeMs: number = STALE_TMP_MS): Promise<number> {
    let removed = 0;
    for (const user of await this.users()) {
      removed += await (await this.mailbox(user)).cleanAllTmp(maxAgeMs);
    }
    return removed;
  }

  /** Users that have a Maildir here, sorted. */
  async users(): Promise<string[]> {
    const users: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.root)) {
        if (!entry.isDirectory) continue;
        try {
          checkUserName(entry.name);
        } catch {
          continue;
        }
        const cur = await Deno.stat(`${this.root}/${entry.name}/cur`).catch(() => null);
        if (cur?.isDirectory) users.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return users.sort();
  }
}
