/**
 * Policy and storage behind the SMTP server: who may log in, which recipients are
 * accepted, where messages go. The session (session.ts) knows only the protocol; the
 * server asks a {@linkcode SmtpBackend} whenever a decision is needed (the hooks of
 * nodemailer's smtp-server, the Backend of emersion/go-smtp).
 *
 * {@linkcode mailBackend} is the course's policy: recipients in our own domains are
 * delivered to their Maildir INBOX; anything else is relayed onward, but only for a client
 * that authenticated (RFC 5321 3.6.2 and 7.1: no open relay) or for domains we agreed to
 * relay for (as a backup MX does).
 *
 * @module
 */

import { SmtpError } from "./error.ts";
import type { Envelope } from "./session.ts";
import { prependHeaders, returnPathHeader } from "./received.ts";

/** What the backend knows about the client. */
export interface ClientInfo {
  /** EHLO/HELO argument. */
  helo: string;
  /** The client's IP address. */
  address: string;
  /** The authenticated user, if any. */
  user?: string;
}

/**
 * The hooks. Each refuses by throwing an {@linkcode SmtpError} carrying the reply to send.
 */
export interface SmtpBackend {
  /** Check a password (AUTH, RFC 4954). Return false to refuse with 535. */
  authenticate(username: string, password: string): boolean | Promise<boolean>;
  /** Accept or refuse a sender (MAIL FROM). */
  checkSender?(address: string, client: ClientInfo): void | Promise<void>;
  /** Accept or refuse a recipient (RCPT TO). */
  checkRecipient(address: string, client: ClientInfo): void | Promise<void>;
  /**
   * Deliver the message (Received: line already added) to every recipient of the
   * envelope. Resolve only when it is durable: the server answers 250 right after.
   */
  store(envelope: Envelope, message: Uint8Array, client: ClientInfo): Promise<void>;
}

/** The part of a Maildir that delivery needs (lib/maildir's `Maildir` has it). */
export interface Mailbox {
  deliver(bytes: Uint8Array): Promise<unknown>;
}

/** Users' mailboxes by name (lib/maildir's `MailStore` has this shape). */
export interface MailboxStore {
  mailbox(user: string): Promise<Mailbox>;
  /**
   * Take one message for several users at once, resolving once it is durable. A store
   * with a journal (lib/maildir's `JournaledMailStore`) has it: one sync, shared with
   * the other sessions' messages, instead of a Maildir delivery per user.
   */
  accept?(users: readonly string[], bytes: Uint8Array): Promise<void>;
}

/** Sends a message onward to other domains (see mx.ts). Throws SmtpError on failure. */
export type Relay = (
  envelope: { from: string; to: string[] },
  message: Uint8Array,
) => Promise<void>;

/** Options for {@linkcode mailBackend}. */
export interface MailBackendOptions {
  /** Where local mail goes: `store.mailbox(user)`. */
  store: MailboxStore;
  /** Users and passwords. A user receives mail as `user@<each local domain>`. */
  users: ReadonlyMap<string, string>;
  /** Domains delivered here, e.g. `["mx.test"]`. Compared case-insensitively. */
  domains: readonly string[];
  /** How to send mail for other domains. Without it, this server never relays. */
  relay?: Relay;
  /** Domains relayed for anyone (we are their backup MX or a relay hop). */
  relayDomains?: readonly string[];
}

/** Split `user@domain` at its last `@`. */
export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf("@");
  return at < 0
    ? { local: address, domain: "" }
    : { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/**
 * The course's backend: local delivery into Maildir, authenticated relaying.
 *
 * @example
 * ```ts
 * import { MemoryMailStore, mailBackend } from "./backend.ts";
 * const store = new MemoryMailStore();
 * const backend = mailBackend({ store, users: new Map([["bob", "pw"]]), domains: ["mx.test"] });
 * await backend.checkRecipient("bob@MX.test", { helo: "pc", address: "127.0.0.1" });
 * ```
 */
export function mailBackend(options: MailBackendOptions): SmtpBackend {
  const domains = new Set(options.domains.map((d) => d.toLowerCase()));
  const relayDomains = new Set((options.relayDomains ?? []).map((d) => d.toLowerCase()));
  const localUser = (address: string): string | null => {
    if (address.toLowerCase() === "postmaster") {
      return options.users.has("postmaster") ? "postmaster" : null;
    }
    const { local, domain } = splitAddress(address);
    if (!domains.has(domain)) return null;
    if (options.users.has(local)) return local;
    const lower = local.toLowerCase(); // local parts are case-sensitive in principle (RFC 5321 2.4), not in practice
    return options.users.has(lower) ? lower : null;
  };
  return {
    authenticate(username, password) {
      const expected = options.users.get(username);
      return expected !== undefined && timingSafeEqual(expected, password);
    },
    checkRecipient(address, client) {
      if (localUser(address)) return;
      const { domain } = splitAddress(address);
      if (domains.has(domain) || address.toLowerCase() === "postmaster") {
        throw new SmtpError(
          550,
          "5.1.1",
          `<${address}>: Recipient address rejected: no such user here`,
        );
      }
      if (options.relay && (client.user !== undefined || relayDomains.has(domain))) return;
      throw new SmtpError(
        550,
        "5.7.1",
        `<${address}>: Relay access denied${options.relay ? " (authenticate first)" : ""}`,
      );
    },
    async store(envelope, message) {
      const users = new Set<string>();
      const remote: string[] = [];
      for (const to of envelope.to) {
        const user = localUser(to);
        if (user) users.add(user);
        else remote.push(to);
      }
      if (users.size) {
        const bytes = prependHeaders(message, returnPathHeader(envelope.from));
        if (options.store.accept) {
          await options.store.accept([...users], bytes);
        } else {
          await Promise.all([...users].map(async (user) => {
            const mailbox = await options.store.mailbox(user);
            await mailbox.deliver(bytes);
          }));
        }
      }
      if (remote.length) {
        if (!options.relay) throw new SmtpError(554, "5.7.1", "Relaying is not configured");
        await options.relay({ from: envelope.from, to: remote }, message);
      }
    },
  };
}

/** Compare secrets without stopping at the first differing character. */
function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

/**
 * Mailboxes in memory, for tests and quick demos: same shape as lib/maildir's MailStore
 * where delivery is concerned.
 */
export class MemoryMailStore implements MailboxStore {
  readonly #boxes = new Map<string, Uint8Array[]>();

  mailbox(user: string): Promise<Mailbox> {
    let box = this.#boxes.get(user);
    if (!box) this.#boxes.set(user, box = []);
    const messages = box;
    return Promise.resolve({
      deliver: (bytes: Uint8Array) => {
        messages.push(bytes.slice());
        return Promise.resolve();
      },
    });
  }

  /** Messages delivered to `user`, oldest first. */
  messages(user: string): Uint8Array[] {
    return this.#boxes.get(user) ?? [];
  }

  /** Messages delivered to `user`, as text. */
  texts(user: string): string[] {
    return this.messages(user).map((m) => new TextDecoder().decode(m));
  }
}
